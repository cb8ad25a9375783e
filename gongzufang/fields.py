"""An encrypted text field with a keyed hash beside it for exact look-up.

    id_number = EncryptedCharField("身份证号", hash_field="id_number_hash")
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True)

The model attribute holds the plain value; the column holds a Fernet token. Assigning the
attribute also sets the hash attribute, so `filter(id_number_hash=pii_hash(x))` finds the row.
(`QuerySet.update()` bypasses this: change encrypted values through the model.)
"""

from django.db import models

from gongzufang import pii


class _HashingDescriptor:
    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return instance.__dict__.get(self.field.attname)

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        if self.field.hash_field:
            instance.__dict__[self.field.hash_field] = pii.pii_hash(value) if value else ""


class EncryptedCharField(models.TextField):
    description = "Fernet-encrypted text"

    def __init__(self, *args, hash_field=None, **kwargs):
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, _HashingDescriptor(self))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return pii.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return pii.encrypt(value)

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only isnull can be answered by the database. Use the hash.
        if lookup_name not in ("isnull",):
            return None
        return super().get_lookup(lookup_name)

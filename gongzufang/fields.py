"""An encrypted text field, and a keyed-hash field beside it for exact look-up.

    id_number = EncryptedCharField("身份证号", blank=True, default="")
    id_number_hash = PiiHashField(source="id_number")

The model attribute holds the plain value; the column holds a Fernet token (randomised, so the
database cannot compare it). The hash attribute is always derived from the current plain value —
it cannot be set, and cannot fall out of step — so `filter(id_number_hash=pii_hash(x))` finds the
row and unique constraints on the hash hold. (`QuerySet.update()` bypasses model fields: change
encrypted values through the model and save both fields.)
"""

from django.db import models

from gongzufang import pii


class EncryptedCharField(models.TextField):
    description = "Fernet-encrypted text"

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
        # Only isnull can be answered on ciphertext; equality goes through the hash field.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class _DerivedHash:
    def __init__(self, source_attname, attname):
        self.source = source_attname
        self.attname = attname

    def __get__(self, instance, owner):
        if instance is None:
            return self
        value = instance.__dict__.get(self.source) or ""
        cached = instance.__dict__.get("_pii_hash_cache", {}).get(self.source)
        if cached and cached[0] == value:
            return cached[1]
        digest = pii.pii_hash(value) if value else ""
        instance.__dict__.setdefault("_pii_hash_cache", {})[self.source] = (value, digest)
        return digest

    def __set__(self, instance, value):
        # The stored value is kept only so Django counts the field as loaded (not deferred);
        # reads always derive the hash from the plain value.
        instance.__dict__[self.attname] = value


class PiiHashField(models.CharField):
    description = "Keyed hash (HMAC-SHA256) of another field"

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["editable"] = False
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, _DerivedHash(self.source, self.attname))

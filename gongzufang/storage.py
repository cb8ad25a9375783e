"""Private file storage shared by every app: applicants' materials, feedback photos and, later,
lease scans. Files live under MEDIA_ROOT/private and have no URL; a permission-checked view serves
them (DESIGN §13).

`private_storage` is the callable the models' `FileField(storage=...)` name, so migrations keep
a dotted path to a function rather than a pickled storage object.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no URL: files are served only by the permission-checked view."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no public URL")


def private_storage():
    return PrivateStorage()

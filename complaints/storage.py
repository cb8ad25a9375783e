"""Feedback photos live in the same private storage as applicants' materials: no public URL, served
only by the permission-checked view (DESIGN §13)."""


def private_storage():
    from applications.models.applications import PrivateStorage

    return PrivateStorage()

"""What subsidies does when the apps below it say something (their signals; they never import us)."""


def on_application_approved(sender, *, application, actor=None, **kwargs):
    """City approval of a 租赁补贴 application: the grant, in the approving transaction (idempotent)."""
    from .services import grant_create_for_application

    grant_create_for_application(application=application, actor=actor)

"""One exception hierarchy for the portal. The API turns it into `{code, message, fields}`;
the admin and pages show `message` as it is."""


class PortalError(Exception):
    code = "error"
    status = 400

    def __init__(self, message, *, fields=None, code=None):
        super().__init__(str(message))
        self.message = str(message)
        self.fields = fields or {}
        if code:
            self.code = code


class TransitionNotAllowed(PortalError):
    code = "transition_not_allowed"
    status = 409


class ConflictError(PortalError):
    code = "conflict"
    status = 409

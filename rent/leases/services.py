def register_lease_rateable():
    return None


def lease_change_notify(*, change_id):
    return False

def seed(*args, **kwargs):
    return None

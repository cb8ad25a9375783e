"""What this app tells the apps above it (allocation, subsidies, …), which it may not import.

`application_approved` is sent inside the transaction that approves an application (city approval,
or a granted recheck that ends in approval), with `application` and `actor`. A receiver does its work
in that same transaction, so an approval and what follows from it (a waitlist entry, a subsidy grant)
are saved together or not at all; receivers must be idempotent (an approval is never sent twice for
one application, but a repair job may call them again).
"""

from django.dispatch import Signal

application_approved = Signal()

"""选房 (unit choice) and offers: the household's choice window, choosing a unit online with an SMS
code or at the counter, refusing, withdrawing, and the jobs at window open/close and offer expiry
(DESIGN §7, issue 13). Models of the offer itself live in allocation/models.py."""

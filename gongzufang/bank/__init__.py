"""The bank adapter (建设银行大庆分行) — shared core, imports no domain app (docs/bank.md, ADR 0013).

    from gongzufang.bank import client, signing
    bank = client.get_bank()          # BankClient for settings.BANK_URL

- `client.py`: the portal's side of the wire (payment orders, order queries, account checks,
  disbursement files, daily statements); every failure to get a usable answer is `client.BankError`
  with a Chinese message.
- `signing.py`: HMAC-SHA256 of the raw notification body (DESIGN §8).
- `simulated.py`: the simulated bank over real HTTP that development and tests use
  (`python manage.py run_bank --port 8766`).
"""

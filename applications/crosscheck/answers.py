"""A department's answer as the cross-check runner compares and stores it (ADR 0006).

    said = batch_said(adapter.query_batch(batch, client=client))
    status, reason, facts_json, digest, transient, reply_hash, queried_at = said[id_number]

A plain tuple, not an object: a monthly run handles 1.4 million of them, and when the requests are
sent from a process of their own (`applications.crosscheck.sending`) they cross a pipe, where a tuple
of strings costs a fifth of a named tuple to pickle and unpickle. The facts travel encoded as they are
stored (JSON), with the digest a re-check compares to tell an unchanged answer from a new one: both are
computed where the answer arrives, once.
"""

import hashlib

from django.core.serializers.json import DjangoJSONEncoder

# The positions in a said tuple.
STATUS, REASON, FACTS_JSON, DIGEST, TRANSIENT, REPLY_HASH, QUERIED_AT = range(7)
REASON_LENGTH = 200  # CheckResult.reason

encode = DjangoJSONEncoder(ensure_ascii=False).encode


def answer_digest(status: str, facts, reason: str) -> str:
    """What a re-check compares to tell an unchanged answer from a new one: a 128-bit BLAKE2b of the
    status, the reason and the facts as stored (JSON). Equal digests are the same answer; the same facts
    in another key order give another digest, so at worst an unchanged answer is stored as a new row,
    never a changed one taken for unchanged. Computed when the answer arrives: comparing it costs
    neither reading the stored facts back nor decoding them (docs/benchmarks.md, issue 16)."""
    return encoded(status, facts, reason)[1]


def encoded(status: str, facts, reason: str) -> tuple[str, str]:
    """(the facts as stored, the answer's digest): encoded once for both."""
    facts_json = encode(facts)
    return facts_json, hashlib.blake2b(f"{status}\x1f{reason}\x1f{facts_json}".encode(), digest_size=16).hexdigest()


def batch_said(results: dict) -> dict[str, tuple]:
    """One batch's `DepartmentResult`s by ID number as said tuples. An unknown answer has no digest:
    it is never "the same answer again"."""
    out = {}
    for number, result in results.items():
        status = str(result.status)
        reason = result.reason[:REASON_LENGTH]
        if status == "unknown":
            facts_json, digest = encode(result.facts), ""
        else:
            facts_json, digest = encoded(status, result.facts, reason)
        out[number] = (status, reason, facts_json, digest, bool(result.transient), result.reply_hash,
                       result.queried_at)
    return out

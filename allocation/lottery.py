"""`gzf-lottery-v1`, the public draw algorithm (DESIGN §7). Pure functions: no Django, no database.

Anyone can recompute a draw from `draw.json` with these few lines (the downloadable verifier,
allocation/static/allocation/verify_lottery.py, repeats them with the standard library only):

1. pool document = for each entry sorted by `ref`, the line "{ref}\\t{group_rank}\\n";
   pool_hash = sha256(pool document)
2. commitment = sha256(secret), the secret being 64 lower-case hex characters (the text is hashed)
3. public_entropy: text entered at the draw
4. seed = sha256(secret + "|" + public_entropy + "|" + pool_hash); score(ref) = sha256(seed + "|" + ref)
5. order = entries sorted by (group_rank, score, ref)

SHA-256 over UTF-8 text; hex digests in lower case.
"""

import hashlib
import secrets as _secrets
from collections.abc import Iterable

ALGORITHM = "gzf-lottery-v1"
MIN_ENTROPY_CHARS = 2


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pool_document(pool: Iterable[tuple[str, int]]) -> str:
    """`pool`: (ref, group_rank) pairs, in any order."""
    return "".join(f"{ref}\t{int(rank)}\n" for ref, rank in sorted(pool, key=lambda p: p[0]))


def pool_hash(pool: Iterable[tuple[str, int]]) -> str:
    return sha256_hex(pool_document(pool))


def new_secret() -> str:
    """32 random bytes as 64 lower-case hex characters."""
    return _secrets.token_bytes(32).hex()


def commitment(secret: str) -> str:
    return sha256_hex(secret)


def seed(secret: str, public_entropy: str, pool_hash_hex: str) -> str:
    return sha256_hex(f"{secret}|{public_entropy}|{pool_hash_hex}")


def score(seed_hex: str, ref: str) -> str:
    return sha256_hex(f"{seed_hex}|{ref}")


def scores(seed_hex: str, refs: Iterable[str]) -> dict[str, str]:
    prefix = f"{seed_hex}|".encode()
    sha = hashlib.sha256
    return {ref: sha(prefix + ref.encode("utf-8")).hexdigest() for ref in refs}


def ranked(pool: Iterable[tuple[str, int]], seed_hex: str) -> list[tuple[int, str, str]]:
    """(group_rank, score, ref) of every entry, in draw order: the tuples sort as step 5 says."""
    prefix = f"{seed_hex}|".encode()
    sha = hashlib.sha256
    rows = [(int(rank), sha(prefix + ref.encode("utf-8")).hexdigest(), ref) for ref, rank in pool]
    rows.sort()
    return rows


def order(pool: Iterable[tuple[str, int]], seed_hex: str) -> list[str]:
    """The refs in draw order: sorted by (group_rank, score, ref)."""
    return [ref for _rank, _score, ref in ranked(pool, seed_hex)]


def entropy_problem(public_entropy: str) -> str | None:
    """Why an entropy is refused (None: accepted)."""
    text = (public_entropy or "").strip()
    if len(text) < MIN_ENTROPY_CHARS:
        return "公开随机数不能为空，且至少 2 个字符（如当日福利彩票开奖号码）。"
    if text != public_entropy:
        return "公开随机数首尾不能有空格（公开的值须与录入的值逐字相同）。"
    return None


def verify(document: dict) -> list[str]:
    """What does not agree in a draw document (draw.json); an empty list means it all agrees."""
    problems = []
    if document.get("algorithm") != ALGORITHM:
        problems.append(f"算法不是 {ALGORITHM}")
        return problems
    pool = [(p["ref"], int(p["group_rank"])) for p in document.get("pool") or []]
    computed_pool_hash = pool_hash(pool)
    if computed_pool_hash != document.get("pool_hash"):
        problems.append("名单哈希与名单不一致")
    secret = document.get("secret")
    if secret is None:
        return problems  # not drawn yet: only the pool can be checked
    if commitment(secret) != document.get("commitment"):
        problems.append("种子密值与事先公布的承诺值不一致")
    computed_seed = seed(secret, document.get("public_entropy") or "", computed_pool_hash)
    if computed_seed != document.get("seed"):
        problems.append("种子与密值、公开随机数、名单哈希计算结果不一致")
    if order(pool, computed_seed) != list(document.get("order") or []):
        problems.append("顺序与重新计算的结果不一致")
    return problems

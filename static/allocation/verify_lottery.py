#!/usr/bin/env python3
"""独立核验公租房摇号结果（gzf-lottery-v1）。只用 Python 标准库。

用法：python3 verify_lottery.py draw.json
      （draw.json 从配租方案公示页下载：/allocation/rounds/<编号>/draw.json）

算法（DESIGN §7，UTF-8 文本的 SHA-256，十六进制小写）：
  1. 名单文本 = 按 ref 排序，每户一行 "{ref}\\t{group_rank}\\n"；pool_hash = sha256(名单文本)
  2. commitment = sha256(secret)（secret 为 64 位十六进制文本）
  3. seed = sha256(secret + "|" + public_entropy + "|" + pool_hash)
  4. score(ref) = sha256(seed + "|" + ref)
  5. 顺序 = 按 (group_rank, score, ref) 排序
结果一致时退出码为 0，不一致为 1。
"""

import hashlib
import json
import sys


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    problems = []
    if doc.get("algorithm") != "gzf-lottery-v1":
        print("算法不是 gzf-lottery-v1，无法核验。")
        return 1
    pool = sorted((p["ref"], int(p["group_rank"])) for p in doc["pool"])
    pool_hash = sha("".join(f"{ref}\t{rank}\n" for ref, rank in pool))
    print(f"名单户数：{len(pool)}")
    print(f"名单哈希（重新计算）：{pool_hash}")
    if pool_hash != doc.get("pool_hash"):
        problems.append("名单哈希与公布的不一致")
    secret = doc.get("secret")
    if secret is None:
        print("尚未摇号：只能核对名单哈希。")
    else:
        if sha(secret) != doc.get("commitment"):
            problems.append("种子密值与摇号前公布的承诺值不一致")
        seed = sha(f"{secret}|{doc.get('public_entropy')}|{pool_hash}")
        print(f"种子（重新计算）：{seed}")
        if seed != doc.get("seed"):
            problems.append("种子与公布的不一致")
        score = {ref: sha(f"{seed}|{ref}") for ref, _rank in pool}
        order = [ref for ref, rank in sorted(pool, key=lambda p: (p[1], score[p[0]], p[0]))]
        if order != doc.get("order"):
            problems.append("选房顺序与重新计算的不一致")
    if problems:
        print("核验不一致：" + "；".join(problems))
        return 1
    print("核验一致。")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))

"""Put the 操作手册 together (issue 18), after `make manual` ran the journeys with MANUAL_WRITE=1.

The journeys (tests/manual/test_*_journeys.py, tests/manual/harness.py) wrote one page per role and
service (docs/manual/<role>/<service>.md) with its screenshots (docs/manual/img/). This script writes:

- docs/manual/README.md: the index (a short introduction, the roles, every service and its page);
- docs/manual/appendix-accessibility.md: the moderate and minor axe-core findings of this run
  (test-results/manual/axe/*.json; serious and critical ones fail the journeys instead);
- docs/manual/操作手册.pdf: the whole manual in one PDF (WeasyPrint).

Usage: .venv/bin/python scripts/build_manual.py   (run by `make manual`)
"""

import html
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANUAL = ROOT / "docs" / "manual"
FINDINGS = ROOT / "test-results" / "manual" / "axe"
PDF = MANUAL / "操作手册.pdf"

ROLES = [
    ("applicant", "申请人与承租人", "在门户网站（手机或电脑浏览器）办理，截图为手机屏幕（375×812）。", [
        ("register", "注册认证"), ("apply", "资格申请"), ("info", "信息浏览"), ("progress", "进度查询"),
        ("units", "房源查看"), ("choose", "选房"), ("sign", "签约"), ("rent", "缴租"), ("subsidy", "补贴"),
        ("review", "年审"), ("feedback", "意见反馈"), ("moveout", "退租"),
    ]),
    ("caseworker", "经办人（街道、区县、市级）", "在管理后台（电脑浏览器）办理，截图为电脑屏幕（1280×900）。", [
        ("accept", "受理"), ("review", "审核"), ("notice", "公示"), ("allocation", "配租与摇号"), ("lease", "合同"),
        ("rent", "收租"), ("subsidy", "补贴发放"), ("annual", "年审"), ("exit", "退出"), ("statistics", "统计"),
    ]),
]
IMPACT_NAMES = {"critical": "严重（critical）", "serious": "较重（serious）", "moderate": "中等（moderate）",
                "minor": "轻微（minor）"}
GENERATED = "<!-- 本页由 `make manual`（scripts/build_manual.py）自动生成，请勿手工修改。 -->"


def page_path(role, service):
    return MANUAL / role / f"{service}.md"


def step_count(path):
    return len(re.findall(r"^\d+\. ", path.read_text(encoding="utf-8"), flags=re.M))


def write_index():
    lines = [
        "# 大庆市公共租赁住房服务平台 · 操作手册",
        "",
        GENERATED,
        "",
        "本手册按角色和事项，一步一图地说明如何在平台上办理公租房业务。每一页的文字和截图都来自仓库中的浏览器"
        "测试（tests/manual/）：测试在演示数据（`seed_demo`）上真实地点击每一个页面，截图并用 axe-core 检查无障碍"
        "（手机与电脑两种屏幕），所以手册与系统始终一致；页面一旦改变而手册未更新，持续集成即报错。",
        "",
        f"- 整本手册（PDF）：[{PDF.name}]({PDF.name})",
        "- 无障碍检查附录（中等与轻微问题清单）：[appendix-accessibility.md](appendix-accessibility.md)",
    ]
    if (MANUAL / "demo-accounts.md").exists():
        lines.append("- 演示账号：[demo-accounts.md](demo-accounts.md)")
    else:
        lines.append("- 演示账号：见仓库 README.md 的演示账号表（密码均为 `Daqing-2026`）")
    lines += ["", "重新生成：在仓库根目录运行 `make manual`。", ""]
    missing = []
    for role, role_name, how, services in ROLES:
        lines += [f"## {role_name}", "", how, "", "| 事项 | 页面 | 步骤 |", "|---|---|---|"]
        for service, title in services:
            path = page_path(role, service)
            if path.exists():
                lines.append(f"| {title} | [{role}/{service}.md]({role}/{service}.md) | {step_count(path)} |")
            else:
                lines.append(f"| {title} | （尚未编写） | — |")
                missing.append(f"{role}/{service}")
        lines.append("")
    (MANUAL / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return missing


def load_findings():
    findings = []
    for path in sorted(FINDINGS.glob("*.json")):
        findings += json.loads(path.read_text(encoding="utf-8"))
    return findings


def write_appendix(findings):
    lines = [
        "# 附录：无障碍检查（axe-core）",
        "",
        GENERATED,
        "",
        "手册的每一步都用 axe-core（static/vendor/axe-core/，版本见其 VERSION 文件）在手机（375×812）和电脑"
        "（1280×900）两种屏幕上检查。较重（serious）和严重（critical）的问题会使测试失败，因此手册中不存在；"
        "下面列出其余中等（moderate）和轻微（minor）的问题，按规则汇总，供后续改进。",
        "",
    ]
    if not findings:
        lines += ["本次运行没有发现中等或轻微问题。", ""]
    by_rule = defaultdict(list)
    for f in findings:
        by_rule[(f["impact"], f["rule"])].append(f)
    order = {"moderate": 0, "minor": 1}
    if findings:
        lines += ["| 规则 | 程度 | 说明 | 处数 |", "|---|---|---|---|"]
        for (impact, rule), items in sorted(by_rule.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1])):
            lines.append(f"| [{rule}]({items[0]['help_url']}) | {IMPACT_NAMES.get(impact, impact)} | "
                         f"{items[0]['help']} | {len(items)} |")
        lines.append("")
    for (impact, rule), items in sorted(by_rule.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1])):
        lines += [f"## {rule} · {IMPACT_NAMES.get(impact, impact)}", "", items[0]["help"], ""]
        seen = set()
        for f in sorted(items, key=lambda f: (f["role"], f["service"], f["step"], f["viewport"], f["target"])):
            key = (f["role"], f["service"], f["path"], f["target"])
            if key in seen:
                continue
            seen.add(key)
            where = "手机" if f["viewport"] == "mobile" else "电脑"
            lines.append(f"- [{f['title']}]({f['role']}/{f['service']}.md) 第 {f['step']} 步，`{f['path']}`（{where}）："
                         f"`{f['target']}`")
        lines.append("")
    (MANUAL / "appendix-accessibility.md").write_text("\n".join(lines), encoding="utf-8")


PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm; @bottom-center { content: counter(page); font-size: 9pt; color: #666; } }
html { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; line-height: 1.6; }
h1 { font-size: 18pt; color: #a8201a; border-bottom: 2px solid #a8201a; padding-bottom: 4pt; }
section.chapter { break-before: page; }
h2 { font-size: 13pt; margin-top: 14pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 3pt 5pt; text-align: left; vertical-align: top; }
ol > li { margin-bottom: 10pt; break-inside: avoid; }
img { display: block; margin: 6pt 0 0; border: 1px solid #ccc; max-height: 200mm; }
img.mobile { width: 62mm; }
img.desktop { width: 100%; }
code { font-size: 8.5pt; word-break: break-all; }
.cover { text-align: center; padding-top: 70mm; }
.cover h1 { border: none; font-size: 26pt; }
"""


def markdown_html(text, source_dir):
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(text)

    def image(match):
        src = (source_dir / match.group(1)).resolve()
        kind = "desktop" if src.name.startswith("caseworker-") else "mobile"
        return f'<img class="{kind}" src="{src.as_uri()}"'

    body = re.sub(r'<img src="([^"]+)"', image, body)
    # Links between the Markdown pages mean nothing inside one PDF: keep the words, drop the link.
    return re.sub(r'<a href="(?![a-z]+://)[^"]*">(.*?)</a>', r"\1", body)


def write_pdf():
    from weasyprint import HTML

    chapters = ['<section class="cover"><h1>大庆市公共租赁住房服务平台<br>操作手册</h1>'
                f"<p>{html.escape('由仓库中的浏览器测试生成（make manual）')}</p></section>"]
    chapters.append(f'<section class="chapter">{markdown_html((MANUAL / "README.md").read_text("utf-8"), MANUAL)}</section>')
    for role, _, _, services in ROLES:
        for service, _ in services:
            path = page_path(role, service)
            if path.exists():
                chapters.append(f'<section class="chapter">{markdown_html(path.read_text("utf-8"), path.parent)}</section>')
    appendix = MANUAL / "appendix-accessibility.md"
    chapters.append(f'<section class="chapter">{markdown_html(appendix.read_text("utf-8"), MANUAL)}</section>')
    document = (f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>操作手册</title>'
                f"<style>{PRINT_CSS}</style></head><body>{''.join(chapters)}</body></html>")
    HTML(string=document, base_url=str(MANUAL)).write_pdf(PDF)


def main():
    missing = write_index()
    findings = load_findings()
    write_appendix(findings)
    write_pdf()
    images = list((MANUAL / "img").glob("*.png"))
    size = sum(p.stat().st_size for p in images) / 1024 / 1024
    print(f"操作手册：{MANUAL.relative_to(ROOT)}/README.md，{len(images)} 张截图共 {size:.1f} MB，"
          f"PDF {PDF.stat().st_size / 1024 / 1024:.1f} MB，附录 {len(findings)} 处中等/轻微无障碍问题。")
    if missing:
        print("尚未编写的事项：" + "、".join(missing), file=sys.stderr)


if __name__ == "__main__":
    main()

"""The 操作手册's journeys (issue 18): one service as one role, numbered steps, each a screenshot and an
axe-core check in both viewports.

`make manual` runs the journeys with MANUAL_WRITE=1: every finished journey writes its page
docs/manual/<role>/<service>.md and its screenshots docs/manual/img/<role>-<service>-NN.png, and
scripts/build_manual.py puts the index, the accessibility appendix and the PDF together. Without
MANUAL_WRITE (CI, `make test`) the screenshots go to test-results/manual/ only, nothing committed is
rewritten, and a journey whose page differs from the committed one fails: the manual is stale.

Serious and critical axe-core violations fail the step; moderate and minor ones are kept in
test-results/manual/axe/<role>-<service>.json for the manual's appendix.
"""

import json
import os
from pathlib import Path

from tests.browser import click_and_wait  # noqa: F401 (the journeys import it from here)

ROOT = Path(__file__).resolve().parents[2]
MANUAL = ROOT / "docs" / "manual"
IMAGES = MANUAL / "img"
RESULTS = ROOT / "test-results" / "manual"
FINDINGS = RESULTS / "axe"
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"

MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ROLES = {"applicant": ("申请人", MOBILE), "caseworker": ("经办人", DESKTOP)}
FAILING_IMPACTS = ("serious", "critical")
MAX_SHOT_HEIGHT = 2400  # px: a very long page is cut here (its top is what the step is about)

_axe_source = None


def writing():
    """True under `make manual` (MANUAL_WRITE=1): pages and screenshots are (re)written in docs/manual/."""
    return os.environ.get("MANUAL_WRITE") == "1"


def axe_source():
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE.read_text(encoding="utf-8")
    return _axe_source


def optimise_png(path):
    """Screenshots are committed: fewer colours (flat UI, antialiased text keeps well at 64), best zlib."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, format="PNG", optimize=True)


class AccessibilityError(AssertionError):
    pass


class Journey:
    """One service as one role: numbered steps, each a screenshot and an axe-core check."""

    def __init__(self, page, *, role: str, service: str, title: str, intro: str, origin: str):
        if role not in ROLES:
            raise ValueError(f"role must be one of {sorted(ROLES)}: {role!r}")
        self.page = page
        self.role = role
        self.service = service
        self.title = title
        self.intro = intro.strip()
        self.origin = origin
        self.viewport = ROLES[role][1]
        self.steps = []  # (text, image file name)
        self.findings = {}  # (rule, target, path) -> finding, moderate and minor only
        page.set_viewport_size(self.viewport)

    # ------------------------------------------------------------------ steps

    @property
    def slug(self):
        return f"{self.role}-{self.service}"

    def step(self, text: str) -> None:
        """Screenshot the page as it is now (the journey's viewport) and run axe-core in both viewports."""
        page = self.page
        page.wait_for_load_state("load")
        number = len(self.steps) + 1
        name = f"{self.slug}-{number:02d}.png"
        self.steps.append((text.strip(), name))
        self._screenshot(name)
        serious = []
        for viewport_name, viewport in (("mobile", MOBILE), ("desktop", DESKTOP)):
            if viewport != self.viewport:
                page.set_viewport_size(viewport)
            try:
                violations = self._axe()
            finally:
                if viewport != self.viewport:
                    page.set_viewport_size(self.viewport)
            path = page.url.removeprefix(self.origin) or "/"
            for violation in violations:
                for node in violation["nodes"]:
                    target = " ".join(str(t) for t in node["target"])
                    finding = {
                        "rule": violation["id"], "impact": violation["impact"], "help": violation["help"],
                        "help_url": violation["helpUrl"], "target": target, "path": path,
                        "viewport": viewport_name, "step": number, "service": self.service,
                        "role": self.role, "title": self.title,
                    }
                    if violation["impact"] in FAILING_IMPACTS:
                        serious.append(finding)
                    else:
                        self.findings.setdefault((violation["id"], target, path), finding)
        if serious:
            lines = [f"  {f['impact']} {f['rule']} ({f['viewport']}) {f['target']} — {f['help']}" for f in serious]
            raise AccessibilityError(
                f"{self.title} 第 {number} 步（{page.url}）有 {len(serious)} 处严重无障碍问题 "
                f"(axe-core serious/critical):\n" + "\n".join(lines)
            )

    def _axe(self):
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol: the portal's strict CSP (no inline script) does not apply.
            page.evaluate(axe_source())
        return page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
            " nodes: v.nodes.map(n => ({target: n.target}))}))"
        )

    def _screenshot(self, name):
        folder = IMAGES if writing() else RESULTS
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        height = self.page.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        clip = {"x": 0, "y": 0, "width": self.viewport["width"],
                "height": max(self.viewport["height"], min(height, MAX_SHOT_HEIGHT))}
        self.page.screenshot(path=str(path), full_page=True, clip=clip, animations="disabled", caret="hide")
        if writing():
            optimise_png(path)

    # ------------------------------------------------------------------ the page

    def markdown(self) -> str:
        role_name = ROLES[self.role][0]
        lines = [
            f"# {role_name} · {self.title}",
            "",
            "<!-- 本页由 `make manual` 根据 tests/manual/ 中的浏览器测试自动生成，请勿手工修改。 -->",
            "",
            self.intro,
            "",
            "## 操作步骤",
            "",
        ]
        for number, (text, name) in enumerate(self.steps, 1):
            lines += [f"{number}. {text}", "", f"   ![第 {number} 步：{self.title}](../img/{name})", ""]
        lines += ["[返回操作手册目录](../README.md)", ""]
        return "\n".join(lines)

    @property
    def page_path(self):
        return MANUAL / self.role / f"{self.service}.md"

    def finish(self) -> None:
        """Write the page (MANUAL_WRITE=1) or fail when the committed one differs (the manual is stale)."""
        assert self.steps, f"{self.title}：旅程没有任何步骤"
        FINDINGS.mkdir(parents=True, exist_ok=True)
        findings = sorted(self.findings.values(), key=lambda f: (f["step"], f["rule"], f["target"], f["viewport"]))
        (FINDINGS / f"{self.slug}.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1), "utf-8")
        text = self.markdown()
        if writing():
            self.page_path.parent.mkdir(parents=True, exist_ok=True)
            self.page_path.write_text(text, encoding="utf-8")
            for old in IMAGES.glob(f"{self.slug}-*.png"):
                if old.name not in {name for _, name in self.steps}:
                    old.unlink()
            return
        committed = self.page_path.read_text(encoding="utf-8") if self.page_path.exists() else None
        if committed != text:
            raise AssertionError(
                f"操作手册已过期：{self.page_path.relative_to(ROOT)} 与旅程 {self.slug} 的步骤不一致，"
                f"请运行 `make manual` 并提交生成的文件 (the committed manual page is stale)."
            )
        missing = [name for _, name in self.steps if not (IMAGES / name).exists()]
        if missing:
            raise AssertionError(f"操作手册缺少截图：{', '.join(missing)}（请运行 `make manual`）")

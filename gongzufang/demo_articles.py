"""Demo policy articles for `seed_demo`: six articles with generated images, one PDF attachment.

Images are drawn with Pillow (Chinese captions in WenQuanYi Micro Hei when installed); the PDF is
rendered by WeasyPrint. Written through the article services, so they are sanitised and checked
like any upload. Idempotent: an article whose title exists is left alone.
"""

import io
import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from gongzufang.models import Article, ArticleCategory, User
from gongzufang.services.articles import (
    article_attachment_add,
    article_cover_set,
    article_create,
    article_image_add,
    article_publish,
    article_set_body,
)

FONT_PATHS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
PALETTE = [(179, 38, 30), (11, 87, 208), (30, 125, 50), (161, 92, 0), (95, 99, 104), (120, 60, 150)]


def _font(size):
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def draw_picture(title, lines=(), *, colour=0, size=(960, 540), bars=None) -> ContentFile:
    """A simple PNG: a coloured band with the title, a few lines of text, optional bar chart."""
    width, height = size
    accent = PALETTE[colour % len(PALETTE)]
    image = Image.new("RGB", size, (246, 247, 249))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, 110], fill=accent)
    draw.text((40, 30), title, font=_font(46), fill=(255, 255, 255))
    y = 150
    for line in lines:
        draw.text((50, y), line, font=_font(32), fill=(31, 31, 31))
        y += 52
    if bars:
        top = max(value for _label, value in bars)
        x = 80
        for label, value in bars:
            bar_height = int((height - y - 110) * value / top)
            draw.rectangle([x, height - 80 - bar_height, x + 140, height - 80], fill=accent)
            draw.text((x, height - 70), label, font=_font(26), fill=(31, 31, 31))
            draw.text((x + 30, height - 120 - bar_height), str(value), font=_font(34), fill=(31, 31, 31))
            x += 240
    draw.text((width - 330, height - 40), "大庆市住房和城乡建设局", font=_font(22), fill=(95, 99, 104))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name="demo.png")


def render_pdf(title, paragraphs) -> ContentFile:
    from weasyprint import HTML

    for name in ("weasyprint", "fontTools"):  # their INFO lines would drown the seed output
        logging.getLogger(name).setLevel(logging.WARNING)

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        "<html lang='zh'><head><meta charset='utf-8'><style>"
        "@page{size:A4;margin:2cm} body{font-family:'WenQuanYi Micro Hei',sans-serif;font-size:12pt;line-height:1.8}"
        "h1{text-align:center;font-size:18pt} p{text-indent:2em}</style></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
    return ContentFile(HTML(string=html).write_pdf(), name="document.pdf")


POLICY_PARAGRAPHS = [
    "第一条　为规范本市公共租赁住房的申请、审核、配租、使用和退出管理，根据国家和省有关规定，结合本市实际，制定本办法。",
    "第二条　公共租赁住房保障采取实物配租和租赁补贴两种方式。实物配租是指政府提供公共租赁住房，按照低于市场的租金标准出租给符合条件的家庭；"
    "租赁补贴是指对在市场上租赁住房的符合条件的家庭按月发放补贴。",
    "第三条　保障对象包括城镇最低生活保障和特困家庭、低收入家庭、中等偏下收入住房困难家庭、新就业无房职工、外来务工人员和特殊群体。",
    "第四条　申请人应当提交身份证明、户籍或居住证明、婚姻状况证明、收入证明、现住房情况证明和类别证明。"
    "能够通过部门数据共享在线核验的信息，不再要求申请人提供。",
    "第五条　住房保障部门自受理之日起十五个工作日内作出审核决定。补正材料和公示期间不计入审核时限。",
    "第六条　本办法自发布之日起施行。",
]


def _articles():
    return [
        {
            "category": "policy", "days_ago": 30, "title": "《大庆市公共租赁住房管理办法》政策解读",
            "summary": "保障方式、保障对象、申请材料和审批时限一图读懂。",
            "cover": ("公租房管理办法解读", ["实物配租 · 租赁补贴", "六类保障对象", "审批时限 15 个工作日"], 0),
            "images": [
                ("申请流程示意图", "申请流程", ["网上申请 → 受理 → 街道初审", "→ 部门联审 → 区县审核", "→ 公示 → 市级复核 → 轮候配租"], 1),
                ("保障方式对比", "两种保障方式", ["实物配租：政府提供住房，低租金", "租赁补贴：市场租房，按月发补贴"], 2),
            ],
            "body": (
                "<p>为方便群众了解公租房政策，现对《大庆市公共租赁住房管理办法》主要内容解读如下。</p>"
                "<h2>一、申请流程</h2>{img0}"
                "<p>申请人可登录本平台在线申请，也可到所在街道（乡镇）受理窗口办理。材料齐全的当场受理，"
                "自受理之日起 <strong>15 个工作日</strong>内作出审核决定。</p>"
                "<h2>二、保障方式</h2>{img1}"
                "<ul><li>实物配租：取得资格后进入轮候，摇号选房，签订租赁合同。</li>"
                "<li>租赁补贴：签订补贴协议，按月发放至申请人银行账户。</li></ul>"
                "<p>办法全文见附件。</p>"
            ),
            "pdf": ("大庆市公共租赁住房管理办法（全文）", POLICY_PARAGRAPHS),
        },
        {
            "category": "guide", "days_ago": 21, "title": "公租房申请材料由 10 项精简为 6 项",
            "summary": "身份、户籍或居住、婚姻、收入、现住房、类别证明六项材料，其余信息在线核验。",
            "cover": ("申请材料精简", ["由 10 项精简为 6 项"], 3),
            "images": [("六项申请材料", "六项材料清单", [
                "1. 身份证明　　2. 户籍或居住证明", "3. 婚姻状况证明　4. 收入证明", "5. 现住房情况证明　6. 类别证明",
            ], 3)],
            "body": (
                "<p>按照“让数据多跑路，群众少跑腿”的要求，公租房申请材料由原来的 10 项精简为 6 项：</p>{img0}"
                "<p>房产、车辆、社保、公积金、工商登记、纳税等信息，由系统向相关部门在线核验，申请人无需自行开具证明。</p>"
            ),
        },
        {
            "category": "notice", "days_ago": 14, "title": "关于 2026 年第一批公租房摇号配租的公告",
            "summary": "本批次共推出房源 320 套，摇号种子与轮候名单哈希将在摇号前公布。",
            "cover": None,
            "images": [("摇号配租安排", "第一批摇号配租", ["房源 320 套 · 萨尔图区、龙凤区、让胡路区", "摇号前公布轮候名单哈希与随机种子"], 4)],
            "body": (
                "<p>经市住房保障部门研究，决定开展 2026 年第一批公租房摇号配租工作，现将有关事项公告如下：</p>{img0}"
                "<ol><li>参加对象：截至公告之日已取得实物配租资格并在轮候名册中的家庭。</li>"
                "<li>摇号规则：按优先顺位分组，组内顺序由公开的随机种子确定，任何人均可复算。</li>"
                "<li>选房签约：摇号结果公布后按顺序选房，选房后 7 日内签订租赁合同。</li></ol>"
            ),
        },
        {
            "category": "notice", "days_ago": 7, "title": "关于开展 2026 年度公租房资格年审工作的通知",
            "summary": "请承租家庭在租赁合同周年日前 30 日内登录平台申报家庭变化情况。",
            "cover": ("资格年审", ["合同周年日前 30 日开启", "网上申报 · 部门联审"], 5),
            "images": [],
            "body": (
                "<p>各公租房承租家庭、租赁补贴家庭：</p>"
                "<p>根据公租房管理有关规定，我局将开展 2026 年度资格年审工作。系统在合同周年日前 30 日开启年审，"
                "请及时登录本平台申报家庭人口、收入、住房等变化情况。逾期未申报的，将暂停发放下月租赁补贴。</p>"
            ),
        },
        {
            "category": "news", "days_ago": 4, "title": "我市公租房审批时限由 32 个工作日压缩至 15 个工作日",
            "summary": "部门联审在线完成，审批提速一半以上。",
            "cover": ("审批提速", ["32 → 15 个工作日"], 1),
            "images": [("审批时限对比", "审批时限（工作日）", [], 1)],
            "bars": [("改革前", 32), ("改革后", 15)],
            "body": (
                "<p>记者从市住建局获悉，随着公租房服务平台上线，公租房审批时限由原来的 32 个工作日压缩至 15 个工作日。</p>"
                "{img0}<p>“以前要跑多个部门开证明，现在网上提交 6 项材料就行。”在萨尔图区办理业务的王女士说。</p>"
            ),
        },
        {
            "category": "news", "days_ago": 1, "title": "“让数据多跑路，群众少跑腿”：公租房部门联审全面上线",
            "summary": "公安、不动产、民政、人社、公积金等 10 余个部门数据在线核验。",
            "cover": ("部门联审上线", ["10 余个部门数据在线核验"], 2),
            "images": [("部门联审示意", "部门联审", ["公安户籍 · 车辆 · 不动产登记 · 民政", "人社 · 住房公积金 · 市场监管 · 税务 · 残联"], 2)],
            "body": (
                "<p>近日，公租房部门联审功能全面上线。申请提交后，系统自动向相关部门核验申请家庭的户籍、房产、车辆、"
                "社保、公积金等信息。</p>{img0}<p>核验结果逐项记录，查询时间、返回信息可追溯。</p>"
            ),
        },
    ]


@transaction.atomic
def seed():
    actor = User.objects.filter(username="shi").first()
    categories = {c.code: c for c in ArticleCategory.objects.all()}
    now = timezone.now()
    for spec in _articles():
        if Article.objects.filter(title=spec["title"]).exists():
            continue
        article = article_create(
            category=categories[spec["category"]], title=spec["title"], summary=spec["summary"], actor=actor,
        )
        if spec["cover"]:
            title, lines, colour = spec["cover"]
            article_cover_set(article=article, file=draw_picture(title, lines, colour=colour))
        tags = {}
        for i, (caption, title, lines, colour) in enumerate(spec["images"]):
            image = article_image_add(
                article=article, caption=caption,
                file=draw_picture(title, lines, colour=colour, bars=spec.get("bars")),
            )
            tags[f"img{i}"] = (
                f'<figure><img src="{image.url}" alt="{caption}" width="{image.width}" height="{image.height}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        article_set_body(article=article, body=spec["body"].format(**tags))
        if spec.get("pdf"):
            title, paragraphs = spec["pdf"]
            article_attachment_add(article=article, file=render_pdf(title, paragraphs), title=title,
                                   original_name=f"{title}.pdf")
        article_publish(article=article, actor=actor, published_at=now - timedelta(days=spec["days_ago"]))

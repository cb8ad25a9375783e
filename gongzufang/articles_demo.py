"""Policy articles at city scale, for `manage.py generate_city` (bulk, deterministic per seed).

Text-only on purpose: the demo seeder (gongzufang/demo_articles.py) makes the few articles with
real images and attachments through the services; here thousands are needed fast, for list pages
and statistics. The bodies are plain paragraphs, already safe HTML, so no sanitiser run is needed.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.html import escape

from gongzufang.models import Article, ArticleCategory

TOPICS = {
    "policy": ["公共租赁住房管理办法", "租赁补贴发放实施细则", "保障性住房准入退出规定", "公租房租金标准调整通知"],
    "guide": ["公租房申请办理流程", "租赁补贴申请材料说明", "年度资格复核办理指南", "网上缴纳租金操作说明"],
    "notice": ["第{n}批公租房配租结果公示", "第{n}批租赁补贴发放公告", "年度资格复核工作通知", "配租摇号时间安排公告"],
    "news": ["{district}公租房小区完成改造", "市住建局开展公租房入户走访", "公租房“五个在线”服务上线运行", "新建公租房项目交付使用"],
}
DISTRICT_NAMES = ["萨尔图区", "龙凤区", "让胡路区", "红岗区", "大同区", "肇州县", "肇源县", "林甸县", "杜尔伯特蒙古族自治县"]


def generate_articles(n, rng):
    """Create `n` published articles spread over the last three years; returns how many."""
    categories = list(ArticleCategory.objects.order_by("sort_order"))
    if not categories or n <= 0:
        return 0
    now = timezone.now()
    rows = []
    for i in range(n):
        category = categories[i % len(categories)]
        template = rng.choice(TOPICS.get(category.code, TOPICS["news"]))
        title = template.format(n=i // len(categories) + 1, district=rng.choice(DISTRICT_NAMES))
        paragraphs = [
            f"为做好{title}相关工作，根据《大庆市公共租赁住房管理办法》，现将有关事项说明如下。",
            "申请人可通过大庆市公租房服务平台在线办理，审批时限为 15 个工作日，所需材料不超过 6 项。",
            "如有疑问，请拨打 12345 政务服务便民热线或到所在街道（乡镇）受理窗口咨询。",
        ]
        rows.append(Article(
            category=category, title=title[:120], summary=paragraphs[0][:300],
            body="".join(f"<p>{escape(p)}</p>" for p in paragraphs),
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 1440)),
        ))
    Article.objects.bulk_create(rows, batch_size=1000)
    return len(rows)

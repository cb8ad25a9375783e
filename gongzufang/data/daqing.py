"""Daqing's districts (GB/T 2260 codes), their streets/towns and communities.

District codes and names are official. Street and town names follow the city's published
divisions as far as we know them; street codes are the district code plus a 3-digit serial, and
communities are listed only for a few streets per district (others use one "综合社区").
City staff correct and complete this list in the admin; the seed only adds what is missing.
"""

DISTRICTS = [
    ("230602", "萨尔图区", False, [
        ("萨尔图街道", False, ["萨尔图一社区", "萨尔图二社区", "东安社区"]),
        ("会战街道", False, ["会战社区", "创业社区"]),
        ("富强街道", False, ["富强社区", "乘风社区"]),
        ("拥军街道", False, ["拥军社区", "益民社区"]),
        ("东风街道", False, ["东风社区", "悦民社区"]),
        ("友谊街道", False, ["友谊社区", "阳光社区"]),
        ("火炬街道", False, ["火炬社区"]),
        ("铁人街道", False, ["铁人社区"]),
    ]),
    ("230603", "龙凤区", False, [
        ("龙凤街道", False, ["龙凤社区", "新村社区"]),
        ("兴化街道", False, ["兴化社区", "化工社区"]),
        ("东光街道", False, ["东光社区"]),
        ("湿地街道", False, ["湿地社区"]),
        ("三永街道", False, ["三永社区"]),
        ("卧里屯街道", False, ["卧里屯社区"]),
        ("龙凤镇", True, ["龙凤村"]),
    ]),
    ("230604", "让胡路区", False, [
        ("让胡路街道", False, ["让胡路社区", "中林社区"]),
        ("西宾街道", False, ["西宾社区"]),
        ("奋斗街道", False, ["奋斗社区"]),
        ("银浪街道", False, ["银浪社区"]),
        ("庆新街道", False, ["庆新社区"]),
        ("龙岗街道", False, ["龙岗社区"]),
        ("喇嘛甸镇", True, ["喇嘛甸村"]),
    ]),
    ("230605", "红岗区", False, [
        ("红岗街道", False, ["红岗社区"]),
        ("八百垧街道", False, ["八百垧社区"]),
        ("解放街道", False, ["解放社区"]),
        ("杏南街道", False, ["杏南社区"]),
        ("创业城街道", False, ["创业城社区"]),
        ("杏树岗镇", True, ["杏树岗村"]),
    ]),
    ("230606", "大同区", False, [
        ("庆葡街道", False, ["庆葡社区"]),
        ("新华街道", False, ["新华社区"]),
        ("大同镇", True, ["大同社区"]),
        ("高台子镇", True, ["高台子社区"]),
        ("林源镇", True, ["林源社区"]),
    ]),
    ("230621", "肇州县", True, [
        ("肇州镇", True, ["肇州镇第一社区", "肇州镇第二社区"]),
        ("丰乐镇", True, ["丰乐社区"]),
        ("永乐镇", True, ["永乐社区"]),
        ("朝阳沟镇", True, ["朝阳沟社区"]),
    ]),
    ("230622", "肇源县", True, [
        ("肇源镇", True, ["肇源镇第一社区", "肇源镇第二社区"]),
        ("三站镇", True, ["三站社区"]),
        ("茂兴镇", True, ["茂兴社区"]),
        ("新站镇", True, ["新站社区"]),
    ]),
    ("230623", "林甸县", True, [
        ("林甸镇", True, ["林甸镇第一社区", "林甸镇第二社区"]),
        ("红旗镇", True, ["红旗社区"]),
        ("花园镇", True, ["花园社区"]),
        ("四季青镇", True, ["四季青社区"]),
    ]),
    ("230624", "杜尔伯特蒙古族自治县", True, [
        ("泰康镇", True, ["泰康镇第一社区", "泰康镇第二社区"]),
        ("胡吉吐莫镇", True, ["胡吉吐莫社区"]),
        ("烟筒屯镇", True, ["烟筒屯社区"]),
        ("他拉哈镇", True, ["他拉哈社区"]),
    ]),
]


def load_places(District, Street, Community):
    """Create what is missing (idempotent); usable from a migration with historical models."""
    for order, (code, name, is_county, streets) in enumerate(DISTRICTS, start=1):
        district, _ = District.objects.get_or_create(
            code=code, defaults={"name": name, "is_county": is_county, "sort_order": order}
        )
        for s_index, (s_name, is_town, communities) in enumerate(streets, start=1):
            street, _ = Street.objects.get_or_create(
                code=f"{code}{s_index:03d}", defaults={"district": district, "name": s_name, "is_town": is_town}
            )
            for c_index, c_name in enumerate(communities, start=1):
                Community.objects.get_or_create(
                    code=f"{street.code}{c_index:03d}", defaults={"street": street, "name": c_name}
                )

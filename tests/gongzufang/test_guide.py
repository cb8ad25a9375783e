"""The guide to the forms of assistance (保障方式): each form shows its categories — on the guide
and in the choice an applicant makes — with conditions, materials and process from the admin."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzufang.guide_forms import AssistanceCategoryField, AssistanceChoiceForm
from gongzufang.models import AssistanceCategory, AssistanceCondition, AssistanceForm, PolicyParameter
from gongzufang.parameters import CATEGORIES, MATERIAL_KINDS, PARAMETERS
from gongzufang.selectors.guide import assistance_category_choices, render_text
from tests.gongzufang.articles_helpers import follow_link

pytestmark = pytest.mark.django_db


def _forms():
    return list(AssistanceForm.objects.prefetch_related("categories").order_by("sort_order"))


def test_the_migration_seeds_both_forms_with_their_categories_conditions_materials_and_steps():
    unit, subsidy = _forms()
    assert (unit.code, unit.name, subsidy.code, subsidy.name) == ("unit", "实物配租", "subsidy", "租赁补贴")
    assert [c.category for c in unit.categories.all()] == list(CATEGORIES)
    assert {c.category for c in subsidy.categories.all()} == {"minimum_living", "low_income", "lower_middle_income",
                                                              "special"}
    for form in (unit, subsidy):
        assert form.conditions.count() >= 6
        assert {m.kind for m in form.materials.all() if m.kind} == set(MATERIAL_KINDS)  # DESIGN §4: six kinds
        assert [s.title for s in form.steps.all()][:7] == [
            "网上申请", "受理", "街道初审", "部门联审", "区县审核", "公示", "市级复核",
        ]
        # every category of the form has its own condition
        own = {c.category for c in form.conditions.all() if c.category}
        assert own == {c.category for c in form.categories.all()}


def test_every_placeholder_in_the_seeded_text_names_a_registered_parameter():
    import re

    texts = [c.text for c in AssistanceCondition.objects.all()]
    texts += list(AssistanceForm.objects.values_list("summary", flat=True))
    texts += list(AssistanceCategory.objects.values_list("description", flat=True))
    from gongzufang.models import AssistanceStep

    texts += [s.time_limit + s.description for s in AssistanceStep.objects.all()]
    keys = {key for text in texts for key in re.findall(r"\{([a-z0-9_.]+)\}", text)}
    assert keys and keys <= set(PARAMETERS)


def test_the_guide_shows_every_form_with_each_of_its_categories(client):
    html = client.get(reverse("guide")).content.decode()
    for form in _forms():
        section = html[html.index(f'id="form-{form.code}"'):]
        section = section[: section.index("</li>\n  \n  <li") if "</li>\n  \n  <li" in section else len(section)]
        assert form.name in section
        for category in form.categories.all():
            assert category.get_category_display() in section, (form.code, category.category)
            assert f'href="{form.get_absolute_url()}?category={category.category}"' in section


def test_each_form_page_lists_its_categories_conditions_materials_and_steps(client):
    for form in _forms():
        html = client.get(form.get_absolute_url()).content.decode()
        for category in form.categories.all():
            assert category.get_category_display() in html
        for material in form.materials.all():
            assert material.name in html
        for step in form.steps.all():
            assert step.title in html
        assert "{eligibility" not in html and "{review" not in html  # placeholders filled in
        assert "15 平方米" in html  # eligibility.housing_area_per_capita_max
        assert "15 个工作日" in html  # review.total_workdays, in the summary


def test_a_category_page_shows_the_general_and_its_own_conditions_only(client):
    html = client.get(reverse("guide_detail", args=["unit"]) + "?category=new_graduate").content.decode()
    assert "毕业不超过 5 年" in html  # the new graduate's own condition
    assert "低收入家庭，家庭人均月收入" not in html  # low_income's own condition
    assert "无自有产权住房" in html  # a general one
    assert "（新就业无房职工）" in html


def test_unknown_forms_and_categories_answer_404(client):
    assert client.get(reverse("guide_detail", args=["cash"])).status_code == 404
    assert client.get(reverse("guide_detail", args=["subsidy"]) + "?category=new_graduate").status_code == 404


def test_the_guide_quotes_the_parameter_value_in_force(client, chen):
    PolicyParameter.objects.create(
        key="eligibility.housing_area_per_capita_max", value="18.50", effective_from=timezone.localdate(),
        legal_source="大庆市住建局文件", created_by=chen,
    )
    html = client.get(reverse("guide_detail", args=["unit"])).content.decode()
    assert "18.50 平方米" in html and "15 平方米" not in html


def test_placeholders_are_filled_and_unknown_ones_left_alone():
    values = {"review.total_workdays": "15"}
    assert render_text("{review.total_workdays} 个工作日，{no.such.key}", values) == "15 个工作日，{no.such.key}"


def test_guide_text_is_escaped(client):
    form = AssistanceForm.objects.get(code="unit")
    AssistanceCondition.objects.create(form=form, text="<script>alert(1)</script>条件", sort_order=99)
    form.summary = "<b>简介</b>"
    form.save()
    html = client.get(form.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;条件" in html
    assert "&lt;b&gt;简介&lt;/b&gt;" in client.get(reverse("guide")).content.decode()


# --- the choice an applicant makes ---------------------------------------------------------


def test_the_choices_offer_every_form_with_each_of_its_categories():
    choices = dict(assistance_category_choices())
    for form in _forms():
        assert choices[form.name] == [
            (f"{form.code}:{c.category}", c.get_category_display()) for c in form.categories.all()
        ]


def test_the_choice_widget_shows_every_category_grouped_under_its_form():
    html = str(AssistanceChoiceForm()["choice"])
    for form in _forms():
        assert form.name in html
        for category in form.categories.all():
            assert f'value="{form.code}:{category.category}"' in html
            assert category.get_category_display() in html


def test_the_guide_page_carries_the_choice_widget(client):
    html = client.get(reverse("guide")).content.decode()
    for form in _forms():
        for category in form.categories.all():
            assert f'value="{form.code}:{category.category}"' in html


def test_choosing_a_form_and_category_leads_to_its_conditions(client):
    response = client.get(reverse("guide"), {"choice": "subsidy:low_income"})
    assert response.status_code == 302
    assert response["Location"] == reverse("guide_detail", args=["subsidy"]) + "?category=low_income"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "低收入" in page.content.decode()


def test_a_choice_not_offered_is_refused_with_a_message(client):
    form = AssistanceChoiceForm({"choice": "subsidy:new_graduate"})
    assert not form.is_valid()
    assert form.errors["choice"] == ["请选择列出的保障方式和类别。"]
    assert AssistanceChoiceForm({}).errors["choice"] == ["请选择保障方式和类别。"]
    html = client.get(reverse("guide"), {"choice": "bogus"}).content.decode()
    assert "请选择列出的保障方式和类别" in html


def test_the_field_cleans_to_form_and_category_codes():
    field = AssistanceCategoryField()
    assert field.clean("unit:migrant_worker") == ("unit", "migrant_worker")


def test_a_category_added_in_the_admin_shows_at_once(client, chen):
    subsidy = AssistanceForm.objects.get(code="subsidy")
    client.force_login(chen)
    data = _form_post_data(subsidy, extra_category="new_graduate")
    response = client.post(reverse("admin:gongzufang_assistanceform_change", args=[subsidy.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "subsidy:new_graduate" in dict(sum((c for _g, c in assistance_category_choices()), []))
    assert 'value="subsidy:new_graduate"' in str(AssistanceChoiceForm()["choice"])
    assert "新就业无房职工" in client.get(subsidy.get_absolute_url()).content.decode()


def test_a_form_that_is_not_published_is_neither_shown_nor_offered(client):
    AssistanceForm.objects.filter(code="subsidy").update(is_published=False)
    assert "租赁补贴" not in dict(assistance_category_choices())
    assert client.get(reverse("guide_detail", args=["subsidy"])).status_code == 404
    assert 'id="form-subsidy"' not in client.get(reverse("guide")).content.decode()


def _form_post_data(form, extra_category):
    data = {"name": form.name, "summary": form.summary, "is_published": "on", "sort_order": form.sort_order}
    for prefix, rows, fields in [
        ("categories", list(form.categories.all()), ["category", "description", "sort_order"]),
        ("conditions", list(form.conditions.all()), ["category", "text", "sort_order"]),
        ("materials", list(form.materials.all()), ["kind", "name", "description", "sort_order"]),
        ("steps", list(form.steps.all()), ["sort_order", "title", "description", "time_limit"]),
    ]:
        total = len(rows) + (1 if prefix == "categories" else 0)
        data.update({f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": len(rows),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-form"] = form.pk
            for field in fields:
                data[f"{prefix}-{i}-{field}"] = getattr(row, field)
    i = len(form.categories.all())
    data.update({f"categories-{i}-category": extra_category, f"categories-{i}-description": "新增",
                 f"categories-{i}-sort_order": 9, f"categories-{i}-form": form.pk})
    return data


def test_the_admin_refuses_a_category_twice_in_one_form(client, chen):
    subsidy = AssistanceForm.objects.get(code="subsidy")
    client.force_login(chen)
    response = client.post(
        reverse("admin:gongzufang_assistanceform_change", args=[subsidy.pk]),
        _form_post_data(subsidy, extra_category="low_income"),
    )
    assert response.status_code == 200
    assert "同一保障方式中每个类别只能列一次，重复的是：低收入。" in response.content.decode()


def test_the_guide_admin_lists_and_searches(client, chen, dave):
    client.force_login(chen)
    url = reverse("admin:gongzufang_assistanceform_changelist")
    html = client.get(url + "?q=租赁合同").content.decode()
    assert "租赁补贴" in html and "实物配租" not in html
    client.force_login(dave)
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:gongzufang_assistanceform_add")).status_code == 403


# --- reached from the home page, by links ------------------------------------------------------


def test_an_anonymous_visitor_reaches_the_guide_with_every_forms_categories_from_the_home_page(client):
    home = client.get("/").content.decode()
    for path in (
        [],  # the home page's own block
        ["办事指南"],
        ["更多信息浏览", "办事指南"],  # through the 信息浏览 hub
    ):
        html = home
        for text in path:
            response = client.get(follow_link(html, text))
            assert response.status_code == 200, text
            html = response.content.decode()
        for form in _forms():
            assert form.name in html, path
            for category in form.categories.all():
                assert category.get_category_display() in html, (path, form.code, category.category)
    guide = client.get(follow_link(home, "办事指南")).content.decode()
    for form in _forms():
        detail = client.get(follow_link(guide, f"查看{form.name}申请条件与材料")).content.decode()
        for category in form.categories.all():
            assert category.get_category_display() in detail


def test_the_guide_is_complete_on_a_given_day():
    # parameter values are read for the day asked, so a past page can be reproduced
    from gongzufang.selectors.guide import parameter_values

    assert parameter_values(on=date(2001, 1, 1))["review.total_workdays"] == "15"

"""The plan's indicators are a data file applied by an idempotent command (migration 0002 runs the same loader)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from hocvuso.core.models import AuditEntry
from hocvuso.indicators.computations import check_definition
from hocvuso.indicators.models import Indicator, RankingWeight, Target
from hocvuso.indicators.plan_data import apply_plan_indicators, definitions, plan_codes, read_plan_indicators
from hocvuso.indicators.services import load_plan_indicators


def test_the_database_holds_exactly_what_the_file_says(db: None) -> None:
    data = read_plan_indicators()

    for fields, target in definitions(data):
        indicator = Indicator.objects.get(code=fields["code"])
        assert {name: getattr(indicator, name) for name in fields} == fields
        if target is not None:
            assert (
                Target.objects.get(indicator=indicator, year=data["year"], unit=None, organisation=None).value == target
            )
    assert sorted(Indicator.objects.values_list("code", flat=True)) == sorted(plan_codes(data))
    weights = {(w.level, w.indicator.code): w.weight for w in RankingWeight.objects.select_related("indicator")}
    assert weights == {
        (level, code): Decimal(str(weight))
        for level, by_code in data["weights"].items()
        for code, weight in by_code.items()
    }


def test_loading_again_changes_nothing(db: None) -> None:
    before = list(Indicator.objects.order_by("code").values())
    output = StringIO()

    call_command("load_plan_indicators", stdout=output)

    assert output.getvalue().strip() == "Chỉ tiêu: 0 mới, 0 cập nhật; mục tiêu mới: 0; trọng số mới: 0."
    assert list(Indicator.objects.order_by("code").values()) == before
    assert AuditEntry.objects.get(action="indicators.load_plan").details == {
        "created": 0,
        "changed": 0,
        "targets": 0,
        "weights": 0,
    }


def test_loading_puts_back_a_changed_definition_and_a_deleted_indicator_but_keeps_tuned_targets(db: None) -> None:
    Indicator.objects.filter(code="digital-identity").update(parameters={"age": "elderly", "min_vneid_level": 2})
    Indicator.objects.filter(code="household-visits").delete()
    Target.objects.filter(indicator__code="adults-digital-skills", unit=None).update(value=Decimal(85))

    result = load_plan_indicators()

    assert (result.created, result.changed, result.targets, result.weights) == (1, 1, 0, 0)
    assert Indicator.objects.get(code="digital-identity").parameters == {
        "age": "digital_identity",
        "min_vneid_level": 1,
    }
    assert Indicator.objects.get(code="household-visits").kind == "activity"
    assert Target.objects.get(indicator__code="adults-digital-skills", unit=None).value == Decimal(85)


def test_a_wrong_definition_in_the_file_is_refused_with_its_code_and_nothing_is_applied(db: None) -> None:
    data = read_plan_indicators()
    data["outcomes"][2]["parameters"] = {"min_age": 18, "literacy_groups": ["citizens"]}
    data["outcomes"][3]["levels"] = ["province", "district"]
    before = list(Indicator.objects.order_by("code").values())

    with pytest.raises(ValueError, match=r"adults-digital-skills: .*min_age") as refused:
        apply_plan_indicators(indicators=Indicator, targets=Target, weights=RankingWeight, data=data)

    assert "age" in str(refused.value)
    assert list(Indicator.objects.order_by("code").values()) == before


def test_check_definition_names_each_problem() -> None:
    assert check_definition(
        kind="outcome",
        population="residents_aged",
        numerator="household_has_literate_member",
        parameters={"age": "teenager"},
        levels=["village", "district"],
    ) == [
        "Cấp không hợp lệ: district.",
        "Tử số và mẫu số phải đếm cùng một loại đối tượng.",
        "Tham số age phải là adult, digital_identity hoặc elderly.",
    ]
    assert (
        check_definition(
            kind="outcome",
            population="households",
            numerator="household_has_literate_member",
            parameters={},
            levels=["village"],
        )
        == []
    )

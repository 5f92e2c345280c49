"""The plan's indicators as data: the seven outcome targets of section II and IV.4 with their default targets,
the activity indicators whose sources are not built yet, and the emulation weights. Reversible."""

from decimal import Decimal

from django.db import migrations

ALL_GROUPS = ["citizens", "elderly", "staff", "students", "workers", "traders"]
UNIT_LEVELS = ["province", "commune", "village"]
AGENCY_LEVELS = ["province", "commune", "organisation"]
PLAN_YEAR = 2025

OUTCOMES = [
    {
        "code": "staff-digital-skills",
        "name_vi": "Cán bộ, công chức, viên chức, người lao động khu vực công có kỹ năng số",
        "name_en": "Public-sector staff with digital skills",
        "description": "Số cán bộ, công chức, viên chức và người lao động khu vực công đã được xác nhận đạt phổ cập "
        "kỹ năng số theo nhóm của mình / tổng số cán bộ, công chức, viên chức và người lao động khu vực công.",
        "population": "members",
        "numerator": "literate",
        "parameters": {"membership_kind": "staff", "literacy_groups": ["staff"]},
        "levels": AGENCY_LEVELS,
        "source": "Sổ dân cư (thành viên tổ chức) × Học tập (xác nhận đạt phổ cập)",
        "plan_reference": "II",
        "target": 80,
    },
    {
        "code": "students-digital-skills",
        "name_vi": "Học sinh trung học, sinh viên được trang bị kiến thức, kỹ năng số",
        "name_en": "Secondary and higher-education students with digital skills",
        "description": "Số học sinh trung học và sinh viên đã được xác nhận đạt phổ cập kỹ năng số / tổng số học "
        "sinh trung học và sinh viên.",
        "population": "members",
        "numerator": "literate",
        "parameters": {"membership_kind": "student", "literacy_groups": ["students"]},
        "levels": AGENCY_LEVELS,
        "source": "Sổ dân cư (thành viên tổ chức) × Học tập (xác nhận đạt phổ cập)",
        "plan_reference": "II",
        "target": 100,
    },
    {
        "code": "adults-digital-skills",
        "name_vi": "Người dân trong độ tuổi trưởng thành có kỹ năng số",
        "name_en": "Adults with digital skills",
        "description": "Số người từ 18 tuổi đã được xác nhận đạt phổ cập kỹ năng số (bất kỳ nhóm nào) / tổng số "
        "người từ 18 tuổi.",
        "population": "residents_aged",
        "numerator": "literate",
        "parameters": {"min_age": 18, "literacy_groups": ALL_GROUPS},
        "levels": UNIT_LEVELS,
        "source": "Sổ dân cư × Học tập (xác nhận đạt phổ cập)",
        "plan_reference": "II",
        "target": 80,
    },
    {
        "code": "adults-certified-vneid",
        "name_vi": "Người dân trưởng thành được xác nhận đạt phổ cập trên nền tảng VNeID",
        "name_en": "Adults whose literacy certificate reached VNeID",
        "description": "Số người từ 18 tuổi có xác nhận đạt phổ cập kỹ năng số đã đưa lên VNeID / tổng số người "
        "từ 18 tuổi. Phấn đấu trên 70%. Nguồn tử số: chứng nhận đã đưa lên VNeID.",
        "population": "residents_aged",
        "numerator": "vneid_certified",
        "parameters": {"min_age": 18},
        "levels": UNIT_LEVELS,
        "source": "Sổ dân cư × Chứng nhận (đã đưa lên VNeID)",
        "plan_reference": "II",
        "target": 70,
    },
    {
        "code": "workers-digital-skills",
        "name_vi": "Người lao động trong doanh nghiệp, hợp tác xã có kỹ năng số",
        "name_en": "Enterprise and cooperative workers with digital skills",
        "description": "Số người lao động trong doanh nghiệp, hợp tác xã, liên hiệp hợp tác xã đã được xác nhận đạt "
        "phổ cập kỹ năng số / tổng số người lao động.",
        "population": "members",
        "numerator": "literate",
        "parameters": {"membership_kind": "worker", "literacy_groups": ["workers"]},
        "levels": AGENCY_LEVELS,
        "source": "Sổ dân cư (thành viên tổ chức) × Học tập (xác nhận đạt phổ cập)",
        "plan_reference": "II",
        "target": 80,
    },
    {
        "code": "digital-families",
        "name_vi": "Gia đình số",
        "name_en": "Digital families",
        "description": "Số hộ gia đình có ít nhất một thành viên đạt phổ cập kỹ năng số / tổng số hộ gia đình.",
        "population": "households",
        "numerator": "household_has_literate_member",
        "parameters": {"literacy_groups": ALL_GROUPS},
        "levels": UNIT_LEVELS,
        "source": "Sổ dân cư (hộ gia đình) × Học tập (xác nhận đạt phổ cập)",
        "plan_reference": "IV.4.1",
        "target": 100,
    },
    {
        "code": "digital-identity",
        "name_vi": "Công dân từ 16 tuổi có danh tính số",
        "name_en": "Residents aged 16 or more with a digital identity",
        "description": "Số người từ 16 tuổi có tài khoản định danh điện tử VNeID (mức 1 trở lên) / tổng số người "
        "từ 16 tuổi.",
        "population": "residents_aged",
        "numerator": "vneid_level_at_least",
        "parameters": {"min_age": 16, "min_vneid_level": 1},
        "levels": UNIT_LEVELS,
        "source": "Sổ dân cư (danh tính số)",
        "plan_reference": "IV.4.3",
        "target": 100,
    },
]

NOT_BUILT = "Nguồn chưa xây dựng (phần Hỗ trợ cộng đồng)"
ACTIVITIES = [
    {
        "code": "weekly-classes-held",
        "name_vi": "Buổi học cộng đồng hằng tuần đã tổ chức",
        "name_en": "Weekly community classes held",
        "numerator": "outreach.weekly_classes_held",
        "levels": ["province", "commune"],
        "plan_reference": "IV.3.4",
    },
    {
        "code": "household-visits",
        "name_vi": "Lượt hỗ trợ tại hộ",
        "name_en": "Household visits",
        "numerator": "outreach.household_visits",
        "levels": UNIT_LEVELS,
        "plan_reference": "IV.4.4",
    },
    {
        "code": "active-digital-teams",
        "name_vi": "Tổ công nghệ số cộng đồng đang hoạt động",
        "name_en": "Active community digital teams",
        "numerator": "outreach.active_teams",
        "levels": ["province", "commune"],
        "plan_reference": "IV.4.4",
    },
    {
        "code": "traders-trained",
        "name_vi": "Tiểu thương, nông dân được đào tạo theo mô hình 4T",
        "name_en": "Traders and farmers trained (4T model)",
        "numerator": "outreach.traders_trained",
        "levels": ["province", "commune"],
        "plan_reference": "IV.4.2",
    },
    {
        "code": "learning-events",
        "name_vi": "Sự kiện, Ngày hội toàn dân học tập số",
        "name_en": "Events and learning festivals",
        "numerator": "outreach.events",
        "levels": ["province", "commune"],
        "plan_reference": "IV.1.3",
    },
]

COMMUNE_WEIGHTS = {
    "adults-digital-skills": 3,
    "adults-certified-vneid": 2,
    "digital-families": 2,
    "digital-identity": 2,
    "staff-digital-skills": 1,
    "students-digital-skills": 1,
    "workers-digital-skills": 1,
}
ORGANISATION_WEIGHTS = {"staff-digital-skills": 1, "students-digital-skills": 1, "workers-digital-skills": 1}


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Target = apps.get_model("indicators", "Target")
    RankingWeight = apps.get_model("indicators", "RankingWeight")
    position = 0
    for definition in OUTCOMES:
        position += 10
        fields = {key: value for key, value in definition.items() if key != "target"}
        indicator = Indicator.objects.create(kind="outcome", direction="up", measure="percent", position=position, **fields)
        Target.objects.create(indicator=indicator, year=PLAN_YEAR, value=Decimal(definition["target"]))
    for definition in ACTIVITIES:
        position += 10
        Indicator.objects.create(
            kind="activity",
            population="",
            parameters={},
            direction="up",
            measure="count",
            source=NOT_BUILT,
            description=NOT_BUILT,
            position=position,
            **definition,
        )
    for level, weights in (("commune", COMMUNE_WEIGHTS), ("organisation", ORGANISATION_WEIGHTS)):
        for code, weight in weights.items():
            RankingWeight.objects.create(
                level=level, indicator=Indicator.objects.get(code=code), weight=Decimal(weight)
            )


def unseed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    codes = [definition["code"] for definition in OUTCOMES + ACTIVITIES]
    Indicator.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

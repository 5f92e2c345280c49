import factory

from hocvuso.territory.models import REFORM_DATE, AdministrativeUnit, Level


class UnitFactory(factory.django.DjangoModelFactory):
    """A unit whose path follows its parent; give `parent` for communes and villages."""

    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    level = Level.PROVINCE
    kind = "tỉnh"
    parent = None
    valid_from = REFORM_DATE
    path = factory.LazyAttribute(lambda unit: AdministrativeUnit.path_for(unit.code, unit.parent))


def province(**kwargs: object) -> AdministrativeUnit:
    return UnitFactory(**{"level": Level.PROVINCE, "kind": "tỉnh", **kwargs})


def commune(parent: AdministrativeUnit, **kwargs: object) -> AdministrativeUnit:
    return UnitFactory(**{"level": Level.COMMUNE, "kind": "xã", "parent": parent, **kwargs})


def village(parent: AdministrativeUnit, **kwargs: object) -> AdministrativeUnit:
    return UnitFactory(**{"level": Level.VILLAGE, "kind": "thôn", "parent": parent, **kwargs})

"""What the database itself refuses in the organisation's tables."""

import pytest
from django.db import IntegrityError, transaction

from agencies.models import Street
from grids.models import GridCell

pytestmark = pytest.mark.django_db


# Codes


def test_a_street_code_of_8_digits_is_refused(district):
    with pytest.raises(IntegrityError, match="street_code_9_digits"), transaction.atomic():
        Street.objects.create(district=district, code="11010899", name="八位街道", short_name="八位街道")


def test_a_street_code_with_letters_is_refused(district):
    with pytest.raises(IntegrityError, match="street_code_9_digits"), transaction.atomic():
        Street.objects.create(district=district, code="11010809A", name="字母街道", short_name="字母街道")


def test_a_street_code_already_used_is_refused(district, street):
    with pytest.raises(IntegrityError, match="agencies_street_code"), transaction.atomic():
        Street.objects.create(district=district, code=street.code, name="另一个街道", short_name="另一个街道")


def test_a_street_name_already_used_in_the_district_is_refused(district, street):
    with pytest.raises(IntegrityError, match="street_name_unique_in_district"), transaction.atomic():
        Street.objects.create(district=district, code="110108099", name=street.name, short_name=street.name)


def test_a_grid_code_that_is_not_15_digits_is_refused(grid):
    with pytest.raises(IntegrityError, match="grid_code_15_digits"), transaction.atomic():
        GridCell.objects.create(community=grid.community, code=grid.community.code + "01", name="短码网格",
                                boundary=grid.boundary)


def test_a_grid_code_already_used_is_refused(grid):
    with pytest.raises(IntegrityError, match="grids_gridcell_code"), transaction.atomic():
        GridCell.objects.create(community=grid.community, code=grid.code, name="重码网格", boundary=grid.boundary)

"""Hiring against the street's quota (总量控制), and what a hire must say about the person's placement,
deployment and duties."""

import pytest
from django.db import IntegrityError, transaction

from comanagers import services
from comanagers.models import CoManager, Deployment, PayStandard, Placement, Post
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from tests.comanagers.conftest import set_quota

pytestmark = pytest.mark.django_db


def hire(actor, street, post, hired_on, **kwargs):
    kwargs.setdefault("deployment", Deployment.CENTRAL)
    kwargs.setdefault("central_reason", "治安联合调解室调解员")
    return services.comanager_hire(actor=actor, street=street, post=post, name=kwargs.pop("name", "张三"),
                                   phone="13812345678", hired_at=hired_on, **kwargs)


def test_the_four_posts_are_seeded_by_the_data_migration():
    posts = {post.code: post for post in Post.objects.all()}
    assert {"public-security", "migrant-family-planning", "safety-informant", "civility-guide"} <= set(posts)
    assert posts["public-security"].one_post_one_duty and not posts["public-security"].part_time
    assert posts["civility-guide"].part_time and not posts["civility-guide"].one_post_one_duty


def test_hiring_within_the_quota_is_accepted(street_staff, street, security_post, hired_on, street_grids):
    set_quota(street, 1)
    comanager = hire(street_staff, street, security_post, hired_on, deployment=Deployment.GRIDS,
                     central_reason="", grids=street_grids)
    assert comanager.street == street and comanager.hired_by == street_staff
    assert set(comanager.grids.all()) == set(street_grids)


def test_hiring_past_the_quota_is_refused(street_staff, street, security_post, hired_on):
    set_quota(street, 1)
    hire(street_staff, street, security_post, hired_on)
    with pytest.raises(ActionConflict, match="quota is reached"):
        hire(street_staff, street, security_post, hired_on, name="李四")
    assert CoManager.objects.filter(street=street).count() == 1


def test_no_quota_set_means_no_place(street_staff, street, security_post, hired_on):
    with pytest.raises(ActionConflict):
        hire(street_staff, street, security_post, hired_on)


def test_a_leaver_frees_the_place(street_staff, street, security_post, hired_on):
    set_quota(street, 1)
    first = hire(street_staff, street, security_post, hired_on)
    services.comanager_leave(comanager=first, actor=street_staff, left_at=hired_on)
    assert hire(street_staff, street, security_post, hired_on, name="李四").pk


def test_a_policy_placement_with_reason_and_approver_goes_past_the_quota(
    street_staff, street, security_post, hired_on, district_command
):
    set_quota(street, 0)
    comanager = hire(street_staff, street, security_post, hired_on, placement=Placement.POLICY,
                     placement_reason="就业困难人员（零就业家庭）", placement_approver=district_command)
    assert comanager.placement == Placement.POLICY and comanager.placement_approver == district_command


@pytest.mark.parametrize("missing", ["placement_reason", "placement_approver"])
def test_a_policy_placement_without_reason_or_approver_is_invalid(
    street_staff, street, security_post, hired_on, district_command, missing
):
    set_quota(street, 0)
    given = {"placement_reason": "就业困难人员", "placement_approver": district_command}
    given[missing] = "" if missing == "placement_reason" else None
    with pytest.raises(InvalidInput) as refused:
        hire(street_staff, street, security_post, hired_on, placement=Placement.POLICY, **given)
    assert missing in refused.value.errors


def test_the_approver_must_be_the_district_command(street_staff, street, security_post, hired_on,
                                                   other_street_staff, other_district_command):
    set_quota(street, 0)
    for approver in (other_street_staff, other_district_command):
        with pytest.raises(InvalidInput) as refused:
            hire(street_staff, street, security_post, hired_on, placement=Placement.POLICY,
                 placement_reason="就业困难人员", placement_approver=approver)
        assert "placement_approver" in refused.value.errors


def test_grids_outside_the_street_are_refused(street_staff, street, security_post, hired_on, street_grids,
                                              other_grid):
    set_quota(street, 5)
    with pytest.raises(InvalidInput) as refused:
        hire(street_staff, street, security_post, hired_on, deployment=Deployment.GRIDS, central_reason="",
             grids=[street_grids[0], other_grid])
    assert other_grid.code in str(refused.value.errors["grids"])


def test_central_deployment_without_a_reason_is_refused(street_staff, street, security_post, hired_on):
    set_quota(street, 5)
    with pytest.raises(InvalidInput) as refused:
        hire(street_staff, street, security_post, hired_on, central_reason="  ")
    assert "central_reason" in refused.value.errors


def test_extra_duties_are_refused_for_a_one_post_one_duty_post(street_staff, street, security_post, hired_on):
    set_quota(street, 5)
    with pytest.raises(InvalidInput) as refused:
        hire(street_staff, street, security_post, hired_on, extra_duties="垃圾分类宣传")
    assert "extra_duties" in refused.value.errors


def test_extra_duties_are_recorded_for_a_multi_duty_post(street_staff, street, informant_post, hired_on):
    set_quota(street, 5)
    comanager = hire(street_staff, street, informant_post, hired_on, extra_duties="垃圾分类宣传")
    assert comanager.extra_duties == "垃圾分类宣传"


def test_only_the_streets_staff_may_hire(other_street_staff, district_command, grid_worker, street,
                                         security_post, hired_on):
    set_quota(street, 5)
    for actor in (other_street_staff, district_command, grid_worker):
        with pytest.raises(ActionForbidden):
            hire(actor, street, security_post, hired_on)


def test_leaving_twice_is_a_conflict(street_staff, street, security_post, hired_on):
    set_quota(street, 1)
    comanager = hire(street_staff, street, security_post, hired_on)
    services.comanager_leave(comanager=comanager, actor=street_staff, left_at=hired_on)
    with pytest.raises(ActionConflict):
        services.comanager_leave(comanager=comanager, actor=street_staff, left_at=hired_on)


def test_only_the_district_command_sets_quotas(district_command, street_staff, other_district_command, street):
    assert services.quota_set(actor=district_command, street=street, year=2026, count=40).count == 40
    assert services.quota_set(actor=district_command, street=street, year=2026, count=42).count == 42
    for actor in (street_staff, other_district_command):
        with pytest.raises(ActionForbidden):
            services.quota_set(actor=actor, street=street, year=2026, count=99)


def test_the_pay_standard_is_unique_per_post_and_year(security_post):
    PayStandard.objects.create(post=security_post, year=2026, monthly_amount="3600.00")
    PayStandard.objects.create(post=security_post, year=2025, monthly_amount="3500.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        PayStandard.objects.create(post=security_post, year=2026, monthly_amount="3700.00")

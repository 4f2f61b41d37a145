def test_seeded_haidian_has_29_streets(db):
    from agencies.models import Street

    assert Street.objects.count() == 29

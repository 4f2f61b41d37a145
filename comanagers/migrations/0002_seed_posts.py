"""The four posts named in the reform: two specialist posts (one post, one duty) and two part-time
posts that carry several duties."""

from django.db import migrations

POSTS = [
    ("public-security", "治安协管员", True, False),
    ("migrant-family-planning", "流动人口计生专职工作者", True, False),
    ("safety-informant", "安全信息员", False, True),
    ("civility-guide", "公共文明引导员", False, True),
]


def seed(apps, schema_editor):
    Post = apps.get_model("comanagers", "Post")
    for code, name, one_post_one_duty, part_time in POSTS:
        Post.objects.update_or_create(code=code, defaults={
            "name": name, "one_post_one_duty": one_post_one_duty, "part_time": part_time})


def unseed(apps, schema_editor):
    apps.get_model("comanagers", "Post").objects.filter(
        code__in=[code for code, *_rest in POSTS], comanagers=None).delete()


class Migration(migrations.Migration):
    dependencies = [("comanagers", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

"""The Site row that allauth's emails and the Atom feeds read: SITE_URL's host and SITE_NAME
instead of Django's "example.com" (portal.sites keeps it in line on every later migrate)."""

from django.db import migrations


def site_from_settings(apps, schema_editor):
    from portal.sites import site_sync

    site_sync(apps.get_model("sites", "Site"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0004_user_deleted_at"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [
        migrations.RunPython(site_from_settings, migrations.RunPython.noop, elidable=True),
    ]

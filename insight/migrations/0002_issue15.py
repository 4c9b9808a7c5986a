"""Tell Us Once counted once (issue 15): a life event is the customer's one contact, and each
service told gets a hand-off of it. Notices recorded before keep their hand-offs (each on a
contact of its own, as they were logged then); their events have no `contact`."""

import django.db.models.deletion
from django.db import migrations, models


def _notices_to_handoffs(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Check the foreign keys now: deferred checks would block the ALTER TABLEs that follow.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Notice = apps.get_model("insight", "LifeEventNotice")
    Handoff = apps.get_model("handoffs", "Handoff")
    for notice in Notice.objects.order_by("pk").iterator():
        notice.handoff_id = (Handoff.objects.filter(contact_id=notice.contact_id)
                             .order_by("pk").values_list("pk", flat=True).first())
        notice.save(update_fields=["handoff"])


def _handoffs_to_notices(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Notice = apps.get_model("insight", "LifeEventNotice")
    Handoff = apps.get_model("handoffs", "Handoff")
    for notice in Notice.objects.order_by("pk").iterator():
        notice.contact_id = Handoff.objects.get(pk=notice.handoff_id).contact_id
        notice.save(update_fields=["contact"])


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0007_issue15'),
        ('core', '0004_issue15'),
        ('handoffs', '0003_issue15'),
        ('insight', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='lifeevent',
            name='contact',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contacts.contact'),
        ),
        migrations.AddField(
            model_name='lifeeventnotice',
            name='handoff',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='handoffs.handoff'),
        ),
        migrations.AlterField(
            model_name='lifeeventnotice',
            name='contact',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contacts.contact'),
        ),
        migrations.RunPython(_notices_to_handoffs, _handoffs_to_notices),
        migrations.RemoveField(
            model_name='lifeeventnotice',
            name='contact',
        ),
        migrations.AlterField(
            model_name='lifeeventnotice',
            name='handoff',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='handoffs.handoff'),
        ),
        migrations.CreateModel(
            name='TellUsOnceContactType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('bereavement', 'Bereavement'), ('moving_home', 'Moving home'), ('new_baby', 'New baby')], max_length=20, unique=True)),
                ('enquiry_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.enquirytype')),
            ],
        ),
    ]

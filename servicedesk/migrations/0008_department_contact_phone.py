"""A department's contact phone: what the first-contact owner of a complaint tells the
customer beside the handling department and its head (seed 002 首问责任制)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('servicedesk', '0007_job_failures'),
    ]

    operations = [
        migrations.AddField(
            model_name='department',
            name='contact_phone',
            field=models.CharField(blank=True, help_text='The number a customer is given to reach the department (with its head as the contact person), e.g. when a complaint is passed to it.', max_length=30, verbose_name='contact phone'),
        ),
    ]

"""The contacts app has no periodic work: repeat detection is read when a contact is logged,
and imports run from the command line (`manage.py import_contacts`)."""

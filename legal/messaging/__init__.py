"""Messages to families through GOV.UK Notify (precompiled PDF letters, emails, texts) with their delivery status on
the record, and the print queue used when Notify is not configured. See legal/messaging/rules.py for the statuses and
the letter specification, services.py for every write, tasks.py for sending and polling."""

"""Traded services sold to schools: the catalogue and rate card, bookings, capacity, delivery and invoices."""

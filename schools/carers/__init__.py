"""Parents' and carers' contact details and preferences: the page officers change them on (reached from the pupil
page and the case page's family section), its form, validators and service."""

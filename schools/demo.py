"""Deterministic demo data: a fictional East Sussex-like authority with schools, calendars, pupils and families.

Everything comes from one ``random.Random(seed)``, so the same seed and pupil count always give the same rows
(primary keys aside). :func:`build_plan` makes unsaved model instances without touching the database;
:func:`load_demo` saves them in one transaction and creates the demo logins.

The data is made up. Phone numbers are in Ofcom's drama ranges (07700 900xxx, 01632 960xxx), e-mail addresses are
@example.com, and school names only sound like Sussex.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from django.db import transaction

from schools.common import providers
from schools.models import (
    AcademicYear,
    Carer,
    Closure,
    Enrolment,
    Family,
    LocalAuthority,
    Partnership,
    Pupil,
    School,
    Term,
    User,
)
from schools.roles import Role
from schools.school_days import english_bank_holidays
from schools.validators import CHECK_LETTERS, upn_check_letter

LA_NAME = "Demo Sussex County Council"
LA_CODE = "845"
SERVICE_NAME = "Attendance and inclusion casework"
# The letterhead on the demo's letters and invoices (fictional; example.com and a drama-range number).
LA_ADDRESS = "Attendance and Inclusion Service\nCounty Hall\nSt Anne's Crescent\nLewes\nBN7 1UE"
LA_PHONE = "01632 960000"
LA_EMAIL = "attendance@example.com"

#: The demo's "today": enrolments start before it and NC years are for the academic year it falls in (2026/27).
REFERENCE_DATE = date(2026, 11, 23)
CURRENT_YEAR = 2026  # the calendar year in which the current academic year starts

BATCH_SIZE = 2000
MIN_PUPILS = 200
MAX_PUPILS = 200_000
FAMILY_SHARE = 0.70  # pupils who belong to a family record

LEWES = "Lewes & Coastal"
EASTBOURNE = "Eastbourne"
HASTINGS = "Hastings & Rother"
WEALDEN = "Wealden"
PARTNERSHIPS = [LEWES, EASTBOURNE, HASTINGS, WEALDEN]

SCHOOL_USER_SCHOOL = "Hailsham Community College"
SCHOOL2_USER_SCHOOL = "Hailsham Hawthorn Primary School"
OWN_TERMS_ACADEMY = "Beacon Academy"


class DemoDataExists(Exception):
    """The database already holds data the demo would clash with."""


# --------------------------------------------------------------------------------------------------------------
# Schools


@dataclass(frozen=True)
class SchoolSpec:
    name: str
    phase: str
    school_type: str
    partnership: str
    town: str
    size: int  # relative roll size; pupils are shared out in proportion
    deprivation: str = "mid"  # low | mid | high: drives free school meals
    feeder: str = ""  # primaries: the secondary most of their pupils move on to
    sixth_form: bool = False


P, S, SP, AP = School.Phase.PRIMARY, School.Phase.SECONDARY, School.Phase.SPECIAL, School.Phase.AP
T = School.SchoolType

SCHOOLS: list[SchoolSpec] = [
    # Lewes & Coastal
    SchoolSpec("Lewes Priory School", S, T.FOUNDATION, LEWES, "Lewes", 1500, "low", sixth_form=True),
    SchoolSpec("Seaford Head School", S, T.ACADEMY, LEWES, "Seaford", 1300, "low"),
    SchoolSpec("Peacehaven Community College", S, T.COMMUNITY, LEWES, "Peacehaven", 1000, "mid"),
    SchoolSpec("Seaford Primary School", P, T.COMMUNITY, LEWES, "Seaford", 420, "low", "Seaford Head School"),
    SchoolSpec("Chyngton Down Primary School", P, T.ACADEMY, LEWES, "Seaford", 315, "low", "Seaford Head School"),
    SchoolSpec("Southover CofE Primary School", P, T.VOLUNTARY_CONTROLLED, LEWES, "Lewes", 210, "low",
               "Lewes Priory School"),
    SchoolSpec("Malling Brooks Primary School", P, T.COMMUNITY, LEWES, "Lewes", 210, "mid", "Lewes Priory School"),
    SchoolSpec("St Pancras Catholic Primary School", P, T.VOLUNTARY_AIDED, LEWES, "Lewes", 210, "low",
               "Lewes Priory School"),
    SchoolSpec("Newhaven Harbour Primary Academy", P, T.ACADEMY, LEWES, "Newhaven", 420, "high",
               "Peacehaven Community College"),
    SchoolSpec("Denton Meadows Primary School", P, T.COMMUNITY, LEWES, "Newhaven", 210, "high",
               "Peacehaven Community College"),
    SchoolSpec("Peacehaven Heights Primary School", P, T.ACADEMY, LEWES, "Peacehaven", 420, "mid",
               "Peacehaven Community College"),
    SchoolSpec("Telscombe Cliffs Primary School", P, T.COMMUNITY, LEWES, "Telscombe Cliffs", 315, "mid",
               "Peacehaven Community College"),
    SchoolSpec("Ringmer Primary School", P, T.FOUNDATION, LEWES, "Ringmer", 315, "low", "Lewes Priory School"),
    SchoolSpec("Barcombe CofE Primary School", P, T.VOLUNTARY_CONTROLLED, LEWES, "Barcombe", 105, "low",
               "Lewes Priory School"),
    SchoolSpec("Ouse Valley School", SP, T.SPECIAL, LEWES, "Lewes", 260, "mid"),
    # Eastbourne
    SchoolSpec("The Eastbourne Academy", S, T.ACADEMY, EASTBOURNE, "Eastbourne", 1000, "high"),
    SchoolSpec("Ratton Downs School", S, T.ACADEMY, EASTBOURNE, "Eastbourne", 1400, "mid"),
    SchoolSpec("St Wilfrid's Catholic College", S, T.VOLUNTARY_AIDED, EASTBOURNE, "Eastbourne", 1100, "mid",
               sixth_form=True),
    SchoolSpec("Langney Primary School", P, T.ACADEMY, EASTBOURNE, "Eastbourne", 420, "high", "The Eastbourne Academy"),
    SchoolSpec("Shinewater Primary School", P, T.COMMUNITY, EASTBOURNE, "Eastbourne", 420, "high",
               "The Eastbourne Academy"),
    SchoolSpec("Hampden Park Primary Academy", P, T.ACADEMY, EASTBOURNE, "Eastbourne", 315, "high",
               "The Eastbourne Academy"),
    SchoolSpec("Bourne Primary School", P, T.COMMUNITY, EASTBOURNE, "Eastbourne", 210, "high",
               "The Eastbourne Academy"),
    SchoolSpec("Ocklynge Primary School", P, T.ACADEMY, EASTBOURNE, "Eastbourne", 630, "mid", "Ratton Downs School"),
    SchoolSpec("Roselands Primary School", P, T.COMMUNITY, EASTBOURNE, "Eastbourne", 210, "mid", "Ratton Downs School"),
    SchoolSpec("Old Town Community Primary School", P, T.COMMUNITY, EASTBOURNE, "Eastbourne", 315, "low",
               "Ratton Downs School"),
    SchoolSpec("Meads CofE Primary School", P, T.VOLUNTARY_CONTROLLED, EASTBOURNE, "Eastbourne", 210, "low",
               "Ratton Downs School"),
    SchoolSpec("St Mary's Catholic Primary School", P, T.VOLUNTARY_AIDED, EASTBOURNE, "Eastbourne", 210, "mid",
               "St Wilfrid's Catholic College"),
    SchoolSpec("Willingdon Primary School", P, T.ACADEMY, EASTBOURNE, "Willingdon", 420, "low", "Ratton Downs School"),
    SchoolSpec("Sovereign Harbour Primary Academy", P, T.FREE, EASTBOURNE, "Eastbourne", 210, "mid",
               "St Wilfrid's Catholic College"),
    SchoolSpec("Chalk Cliff School", SP, T.ACADEMY, EASTBOURNE, "Eastbourne", 240, "high"),
    # Hastings & Rother
    SchoolSpec("Hastings Ridge Academy", S, T.ACADEMY, HASTINGS, "Hastings", 1100, "high"),
    SchoolSpec("Bexhill High School", S, T.COMMUNITY, HASTINGS, "Bexhill-on-Sea", 1400, "mid"),
    SchoolSpec("Rye Marsh College", S, T.ACADEMY, HASTINGS, "Rye", 700, "mid"),
    SchoolSpec("Ore Village Primary Academy", P, T.ACADEMY, HASTINGS, "Hastings", 420, "high",
               "Hastings Ridge Academy"),
    SchoolSpec("Castledown Primary School", P, T.COMMUNITY, HASTINGS, "Hastings", 420, "high",
               "Hastings Ridge Academy"),
    SchoolSpec("Sacred Heart Catholic Primary School", P, T.VOLUNTARY_AIDED, HASTINGS, "Hastings", 210, "mid",
               "Hastings Ridge Academy"),
    SchoolSpec("Silverhill Primary School", P, T.COMMUNITY, HASTINGS, "St Leonards-on-Sea", 315, "high",
               "Hastings Ridge Academy"),
    SchoolSpec("Hollington Primary Academy", P, T.ACADEMY, HASTINGS, "St Leonards-on-Sea", 420, "high",
               "Hastings Ridge Academy"),
    SchoolSpec("West St Leonards Primary School", P, T.COMMUNITY, HASTINGS, "St Leonards-on-Sea", 315, "mid",
               "Bexhill High School"),
    SchoolSpec("Little Common Primary School", P, T.COMMUNITY, HASTINGS, "Bexhill-on-Sea", 420, "low",
               "Bexhill High School"),
    SchoolSpec("Sidley Primary School", P, T.ACADEMY, HASTINGS, "Bexhill-on-Sea", 315, "high", "Bexhill High School"),
    SchoolSpec("Battle and Langton CofE Primary School", P, T.VOLUNTARY_CONTROLLED, HASTINGS, "Battle", 315, "low",
               "Bexhill High School"),
    SchoolSpec("Rye Primary School", P, T.ACADEMY, HASTINGS, "Rye", 210, "mid", "Rye Marsh College"),
    SchoolSpec("Robertsbridge Community Primary School", P, T.COMMUNITY, HASTINGS, "Robertsbridge", 105, "low",
               "Rye Marsh College"),
    SchoolSpec("Coastal Alternative Provision Academy", AP, T.AP, HASTINGS, "Hastings", 120, "high"),
    # Wealden
    SchoolSpec(SCHOOL_USER_SCHOOL, S, T.ACADEMY, WEALDEN, "Hailsham", 1300, "mid", sixth_form=True),
    SchoolSpec("Uckfield College", S, T.FOUNDATION, WEALDEN, "Uckfield", 1400, "low", sixth_form=True),
    SchoolSpec(OWN_TERMS_ACADEMY, S, T.ACADEMY, WEALDEN, "Crowborough", 1300, "low", sixth_form=True),
    SchoolSpec(SCHOOL2_USER_SCHOOL, P, T.COMMUNITY, WEALDEN, "Hailsham", 420, "mid", SCHOOL_USER_SCHOOL),
    SchoolSpec("Phoenix Primary Academy", P, T.ACADEMY, WEALDEN, "Hailsham", 420, "mid", SCHOOL_USER_SCHOOL),
    SchoolSpec("Polegate Primary School", P, T.COMMUNITY, WEALDEN, "Polegate", 420, "low", SCHOOL_USER_SCHOOL),
    SchoolSpec("Herstmonceux CofE Primary School", P, T.VOLUNTARY_CONTROLLED, WEALDEN, "Herstmonceux", 210, "low",
               SCHOOL_USER_SCHOOL),
    SchoolSpec("Uckfield Manor Primary School", P, T.ACADEMY, WEALDEN, "Uckfield", 315, "low", "Uckfield College"),
    SchoolSpec("Holy Cross Catholic Primary School", P, T.VOLUNTARY_AIDED, WEALDEN, "Uckfield", 210, "low",
               "Uckfield College"),
    SchoolSpec("Cross in Hand CofE Primary School", P, T.VOLUNTARY_CONTROLLED, WEALDEN, "Heathfield", 315, "low",
               "Uckfield College"),
    SchoolSpec("Crowborough Beacon Primary School", P, T.ACADEMY, WEALDEN, "Crowborough", 420, "low",
               OWN_TERMS_ACADEMY),
    SchoolSpec("Jarvis Brook Primary School", P, T.COMMUNITY, WEALDEN, "Crowborough", 210, "mid", OWN_TERMS_ACADEMY),
    SchoolSpec("Wadhurst CofE Primary School", P, T.VOLUNTARY_CONTROLLED, WEALDEN, "Wadhurst", 315, "low",
               OWN_TERMS_ACADEMY),
    SchoolSpec("Mayfield Primary School", P, T.FOUNDATION, WEALDEN, "Mayfield", 210, "low", OWN_TERMS_ACADEMY),
    SchoolSpec("Wealden Oaks School", SP, T.SPECIAL, WEALDEN, "Heathfield", 240, "mid"),
]

# LAESTAB establishment-number ranges by phase (DfE convention: 2xxx primary, 4xxx secondary, 7xxx special, 1xxx AP).
ESTAB_RANGES = {P: range(2001, 2999), S: range(4001, 4199), SP: range(7001, 7099), AP: range(1101, 1199)}
ACADEMY_TYPES = {T.ACADEMY, T.FREE}

# Postcode districts and sectors per town (outward code, sector digits).
POSTCODES = {
    "Lewes": [("BN7", "12")],
    "Seaford": [("BN25", "1234")],
    "Newhaven": [("BN9", "09")],
    "Peacehaven": [("BN10", "78")],
    "Telscombe Cliffs": [("BN10", "7")],
    "Ringmer": [("BN8", "5")],
    "Barcombe": [("BN8", "5")],
    "Eastbourne": [("BN20", "78"), ("BN21", "1234"), ("BN22", "789"), ("BN23", "5678")],
    "Willingdon": [("BN20", "9")],
    "Polegate": [("BN26", "56")],
    "Hailsham": [("BN27", "123")],
    "Herstmonceux": [("BN27", "4")],
    "Hastings": [("TN34", "123"), ("TN35", "45")],
    "St Leonards-on-Sea": [("TN37", "67"), ("TN38", "089")],
    "Bexhill-on-Sea": [("TN39", "345"), ("TN40", "12")],
    "Battle": [("TN33", "0")],
    "Rye": [("TN31", "7")],
    "Robertsbridge": [("TN32", "5")],
    "Uckfield": [("TN22", "12345")],
    "Crowborough": [("TN6", "123")],
    "Heathfield": [("TN21", "089")],
    "Wadhurst": [("TN5", "6")],
    "Mayfield": [("TN20", "6")],
}
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in inward codes (never C, I, K, M, O or V)

STREETS = [
    "Station Road", "Church Lane", "High Street", "Mill Road", "Victoria Road", "Queens Road", "Downs View",
    "Seaside Road", "Marine Parade", "South Street", "Brooklands Avenue", "Meadow Way", "The Avenue", "Elm Grove",
    "Hawthorn Road", "Windmill Lane", "Priory Road", "Sussex Road", "Chalk Farm Close", "Coastguard Lane",
    "Beechwood Crescent", "Kings Drive", "Orchard Close", "Fairlight Road", "Harbour View", "Cliff Road",
    "Willow Walk", "Park Lane", "Martello Road", "Bramble Way", "Saxon Road", "Oakleigh Drive", "Sea Lane",
    "Forest View", "Heron Close", "Greenfield Road", "St John's Road", "Old Road", "Rother Way", "Ashdown Road",
]

# --------------------------------------------------------------------------------------------------------------
# People

E = Pupil.Ethnicity
ETHNICITY_WEIGHTS = {
    E.WBRI: 79.5, E.WIRI: 0.5, E.WIRT: 0.2, E.WROM: 0.4, E.WOTH: 6.0,
    E.MWBC: 1.1, E.MWBA: 0.7, E.MWAS: 1.3, E.MOTH: 2.3,
    E.AIND: 0.6, E.APKN: 0.3, E.ABAN: 0.6, E.AOTH: 1.2,
    E.BCRB: 0.2, E.BAFR: 1.0, E.BOTH: 0.2,
    E.CHNE: 0.4, E.OOTH: 1.3, E.REFU: 1.1, E.NOBT: 1.1,
}  # fmt: skip
ETHNICITY_CODES = list(ETHNICITY_WEIGHTS)
ETHNICITY_CUM = list(accumulate(ETHNICITY_WEIGHTS.values()))

NAME_GROUP = {
    E.WBRI: "british", E.REFU: "british", E.NOBT: "british", E.WIRI: "irish", E.WOTH: "european",
    E.WIRT: "traveller", E.WROM: "traveller", E.MWBC: "mixed", E.MWBA: "mixed", E.MWAS: "mixed", E.MOTH: "mixed",
    E.AIND: "asian", E.APKN: "asian", E.ABAN: "asian", E.AOTH: "asian",
    E.BCRB: "black", E.BAFR: "black", E.BOTH: "black", E.CHNE: "chinese", E.OOTH: "other",
}  # fmt: skip
# Chance of English as an additional language, by ethnicity group (about 8% overall).
EAL_RATE = {"british": 0.005, "irish": 0.02, "european": 0.62, "traveller": 0.05, "mixed": 0.1, "asian": 0.5,
            "black": 0.4, "chinese": 0.6, "other": 0.65}
LANGUAGES = {
    "european": ["Polish", "Romanian", "Portuguese", "Lithuanian", "Bulgarian", "Hungarian"],
    "asian": ["Bengali", "Urdu", "Punjabi", "Gujarati", "Nepali", "Tagalog"],
    "black": ["Yoruba", "Twi", "Somali", "Tigrinya", "French"],
    "chinese": ["Cantonese", "Mandarin"],
    "other": ["Arabic", "Kurdish (Sorani)", "Turkish", "Farsi", "Pashto", "Ukrainian"],
}

BRITISH_GIRLS = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace", "Freya", "Florence",
    "Willow", "Poppy", "Evie", "Emily", "Ella", "Daisy", "Sienna", "Phoebe", "Ruby", "Millie", "Chloe", "Jessica",
    "Sophie", "Holly", "Megan", "Lucy", "Erin", "Charlotte", "Harriet", "Matilda", "Rosie", "Alice", "Maisie",
    "Scarlett", "Lola", "Elsie", "Esme", "Hannah", "Eleanor", "Layla", "Bethany", "Imogen", "Katie", "Molly",
    "Ellie", "Amber", "Elizabeth", "Katherine", "Abigail", "Georgia",
]
BRITISH_BOYS = [
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie", "Jacob", "Thomas", "Freddie",
    "Alfie", "Theo", "William", "Archie", "Joshua", "James", "Henry", "Lucas", "Isaac", "Max", "Ethan", "Samuel",
    "Daniel", "Finley", "Logan", "Harrison", "Mason", "Tyler", "Riley", "Dylan", "Reuben", "Toby", "Louie", "Jake",
    "Callum", "Kai", "Ryan", "Lewis", "Owen", "Benjamin", "Joseph", "Elliot", "Alexander", "Rory", "Teddy", "Albie",
    "Jenson", "Frederick", "Matthew", "Edward",
]
BRITISH_SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson",
    "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Harris", "Lewis", "Martin",
    "Cooper", "King", "Baker", "Hill", "Moore", "Allen", "Ward", "Turner", "Carter", "Phillips", "Mitchell", "Parker",
    "Bennett", "Cook", "Collins", "Bailey", "Bell", "Shaw", "Russell", "Palmer", "Hughes", "Marshall", "Fisher",
    "Webb", "Mills", "Lloyd", "Hunt", "Cole", "Barnes", "Dixon", "Knight", "Holmes", "Payne", "Pearce", "Fuller",
    "Hobbs", "Pelling", "Funnell", "Verrall", "Weller", "Stapley", "Hoad", "Crouch", "Elphick", "Gasson", "Sands",
    "Pope", "Tulley", "Reed", "Chapman", "Ellis", "Kemp", "Gibbs", "Goodwin", "Field", "Ashdown", "Lusted",
    "Packham", "Ticehurst", "Avis", "Vine", "Hollands", "Relf", "Tester", "Wickens", "Diplock", "Stevens", "Pankhurst",
    "Thorpe", "Newnham", "Harmer", "Bartholomew", "Saunders", "Fletcher", "Page", "Lambert",
]
ADULT_WOMEN = [
    "Sarah", "Emma", "Claire", "Laura", "Rebecca", "Kelly", "Gemma", "Hayley", "Nicola", "Lisa", "Michelle", "Joanne",
    "Rachel", "Kate", "Amy", "Natalie", "Stacey", "Charlotte", "Victoria", "Helen", "Louise", "Jenny", "Donna",
    "Carly", "Zoe", "Leanne", "Samantha", "Lauren", "Jade", "Kirsty",
]
ADULT_MEN = [
    "James", "Mark", "Paul", "David", "Daniel", "Lee", "Craig", "Matthew", "Richard", "Chris", "Steven", "Andrew",
    "Gary", "Darren", "Jason", "Simon", "Stuart", "Wayne", "Dean", "Ben", "Tom", "Adam", "Jamie", "Rob", "Scott",
    "Neil", "Carl", "Ryan", "Kevin", "Luke",
]
GRANDMOTHERS = ["Susan", "Linda", "Carol", "Janet", "Karen", "Julie", "Patricia", "Jean", "Christine", "Margaret"]
GRANDFATHERS = ["John", "Peter", "Michael", "Robert", "Keith", "Alan", "Brian", "Colin", "Terry", "Graham"]

SURNAME_LANGUAGES = {
    "Nowak": "Polish", "Kowalczyk": "Polish", "Wiśniewski": "Polish", "Lewandowski": "Polish", "Zieliński": "Polish",
    "Popescu": "Romanian", "Ionescu": "Romanian", "Silva": "Portuguese", "Santos": "Portuguese",
    "Ferreira": "Portuguese", "Kazlauskas": "Lithuanian", "Petrauskas": "Lithuanian", "Horváth": "Hungarian",
    "Dimitrov": "Bulgarian", "Kovalenko": "Ukrainian", "Shevchenko": "Ukrainian", "Yilmaz": "Turkish",
    "Demir": "Turkish", "Gurung": "Nepali", "Tamang": "Nepali", "Reyes": "Tagalog", "Chowdhury": "Bengali",
    "Miah": "Bengali", "Uddin": "Bengali", "Wong": "Cantonese", "Chan": "Cantonese", "Cheung": "Cantonese",
}
NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    # group: (girls, boys, surnames)
    "british": (BRITISH_GIRLS, BRITISH_BOYS, BRITISH_SURNAMES),
    "irish": (["Aoife", "Niamh", "Ciara", "Saoirse", "Orla", "Erin"], ["Conor", "Sean", "Cian", "Oisin", "Liam"],
              ["Murphy", "Kelly", "O'Brien", "Byrne", "Ryan", "Walsh", "O'Connor", "Doyle"]),
    "european": (["Zuzanna", "Julia", "Maja", "Wiktoria", "Ioana", "Maria", "Ana", "Emilija", "Gabriela", "Natalia"],
                 ["Jakub", "Szymon", "Filip", "Mateusz", "Andrei", "David", "Tiago", "Lukas", "Mihai", "Kacper"],
                 ["Nowak", "Kowalczyk", "Wiśniewski", "Popescu", "Ionescu", "Silva", "Santos", "Kazlauskas",
                  "Horváth", "Lewandowski", "Dimitrov", "Petrauskas", "Ferreira", "Zieliński"]),
    "traveller": (["Shannon", "Chelsea", "Tiffany", "Kathleen", "Bridget", "Mary"],
                  ["Johnny", "Patrick", "Tommy", "Levi", "Jimmy", "Elijah"],
                  ["Lee", "Price", "Lovell", "Boswell", "Doherty", "McDonagh", "Ward", "Smith", "Cooper"]),
    "asian": (["Aisha", "Priya", "Anaya", "Zainab", "Fatima", "Amira", "Saanvi", "Maryam", "Ananya", "Hafsa"],
              ["Muhammad", "Aarav", "Ibrahim", "Yusuf", "Arjun", "Rayan", "Zayn", "Omar", "Rohan", "Ayaan"],
              ["Patel", "Khan", "Ahmed", "Hussain", "Shah", "Singh", "Ali", "Rahman", "Chowdhury", "Iqbal", "Sharma",
               "Miah", "Uddin", "Gurung", "Tamang", "Reyes"]),
    "black": (["Amara", "Chioma", "Adaeze", "Nia", "Imani", "Zuri", "Kemi", "Abena", "Grace", "Precious"],
              ["Kofi", "Tobi", "Emmanuel", "Samuel", "Malachi", "Kwame", "David", "Joshua", "Chidi", "Tyrese"],
              ["Okafor", "Mensah", "Adeyemi", "Osei", "Campbell", "Okoro", "Abiodun", "Asante", "Boateng", "Mohamed",
               "Williams", "Johnson"]),
    "chinese": (["Mei", "Yan", "Xinyi", "Chloe", "Emily", "Jia"], ["Hao", "Jun", "Ethan", "Ryan", "Zihan", "Wei"],
                ["Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Chan", "Cheung"]),
    "other": (["Layla", "Yasmin", "Sara", "Elif", "Hana", "Nour", "Sofiia", "Zahra"],
              ["Ahmad", "Ali", "Karim", "Emre", "Yousef", "Omar", "Mykola", "Hamza"],
              ["Hassan", "Yilmaz", "Haddad", "Karimi", "Abdullah", "Demir", "Rahimi", "Kovalenko", "Shevchenko"]),
}
MIXED_SURNAME_GROUP = {E.MWBC: "black", E.MWBA: "black", E.MWAS: "asian"}
NICKNAMES = {
    "Alexander": "Alex", "Joshua": "Josh", "Thomas": "Tom", "William": "Will", "Samuel": "Sam", "Daniel": "Dan",
    "Benjamin": "Ben", "Charlotte": "Charlie", "Isabella": "Bella", "Matilda": "Tilly", "Eleanor": "Ellie",
    "Elizabeth": "Lizzie", "Jessica": "Jess", "Harriet": "Hattie", "Katherine": "Kate", "Frederick": "Freddie",
    "Oliver": "Ollie", "Jacob": "Jake", "Matthew": "Matt", "Edward": "Ned", "Abigail": "Abi", "Georgia": "George",
    "Muhammad": "Mo", "Wiktoria": "Vicky", "Zuzanna": "Zuzia", "Mateusz": "Matt", "Aleksander": "Alek",
}  # fmt: skip
SOCIAL_WORKERS = [
    "Joanna Fairbrother", "Marcus Adeyemi", "Ruth Kingsley", "Owen Llewellyn", "Farah Siddiqui", "Beth Catt",
    "Gareth Pope", "Nadia Kowalska", "Simone Baptiste", "Tim Ashworth", "Holly Vickers", "Pete Rowlands",
    "Anita Desai", "Claire Huxley", "Dominic Reeve", "Lucy Marchant", "Imran Qureshi", "Fiona Grant",
]

# Rates by school phase.
SEN_RATES = {P: (0.135, 0.013), S: (0.13, 0.013), SP: (0.04, 0.96), AP: (0.45, 0.12)}  # (SEN support, EHCP)
FSM_RATES = {"low": 0.13, "mid": 0.26, "high": 0.42}
LAC_RATES = {P: 0.004, S: 0.004, SP: 0.03, AP: 0.05}
CIN_RATES = {P: 0.021, S: 0.021, SP: 0.05, AP: 0.12}
CP_RATES = {P: 0.0042, S: 0.0042, SP: 0.01, AP: 0.02}
MALE_RATES = {P: 0.51, S: 0.51, SP: 0.7, AP: 0.72}

# --------------------------------------------------------------------------------------------------------------
# Calendar: LA term dates and the academy that sets its own.

LA_TERMS = {
    # academic year start: [(term, start, end, half term start, half term end)]
    2025: [
        ("autumn", date(2025, 9, 2), date(2025, 12, 19), date(2025, 10, 27), date(2025, 10, 31)),
        ("spring", date(2026, 1, 5), date(2026, 3, 27), date(2026, 2, 16), date(2026, 2, 20)),
        ("summer", date(2026, 4, 13), date(2026, 7, 22), date(2026, 5, 25), date(2026, 5, 29)),
    ],
    2026: [
        ("autumn", date(2026, 9, 1), date(2026, 12, 18), date(2026, 10, 26), date(2026, 10, 30)),
        ("spring", date(2027, 1, 4), date(2027, 3, 25), date(2027, 2, 15), date(2027, 2, 19)),
        ("summer", date(2027, 4, 12), date(2027, 7, 21), date(2027, 5, 31), date(2027, 6, 4)),
    ],
}
LA_INSET_DAYS = [date(2025, 9, 2), date(2026, 1, 5), date(2026, 9, 1), date(2027, 1, 4)]
# The academy keeps a two-week October half term and finishes the summer term earlier.
ACADEMY_TERMS = {
    2025: [
        ("autumn", date(2025, 9, 3), date(2025, 12, 18), date(2025, 10, 20), date(2025, 10, 31)),
        ("spring", date(2026, 1, 5), date(2026, 3, 27), date(2026, 2, 16), date(2026, 2, 20)),
        ("summer", date(2026, 4, 13), date(2026, 7, 17), date(2026, 5, 25), date(2026, 5, 29)),
    ],
    2026: [
        ("autumn", date(2026, 9, 2), date(2026, 12, 17), date(2026, 10, 19), date(2026, 10, 30)),
        ("spring", date(2027, 1, 4), date(2027, 3, 25), date(2027, 2, 15), date(2027, 2, 19)),
        ("summer", date(2027, 4, 12), date(2027, 7, 16), date(2027, 5, 31), date(2027, 6, 4)),
    ],
}
ACADEMY_INSET_DAYS = [date(2025, 9, 3), date(2026, 9, 2), date(2026, 11, 27)]
LEAVERS_DATE = date(2026, 7, 22)  # last day of the 2025/26 summer term: Year 6 leave primary


@dataclass
class UserSpec:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    job_title: str
    sees: str
    school: School | None = None


@dataclass
class DemoPlan:
    la: LocalAuthority
    partnerships: list[Partnership]
    schools: list[School]
    academic_years: list[AcademicYear]
    terms: list[Term]
    closures: list[Closure]
    families: list[Family]
    carers: list[Carer]
    pupils: list[Pupil]
    enrolments: list[Enrolment]
    users: list[UserSpec]


@dataclass(slots=True)
class _Child:
    school: int
    nc_year: int
    sex: str
    date_of_birth: date
    ethnicity: str
    first_name: str
    last_name: str
    eal: bool
    sen: str
    fsm: bool
    looked_after: bool
    cin_cp: str
    family: int | None = None
    in_year_arrival: bool = False
    # Ended enrolments, earliest first: (school index, start, end, NC year).
    history: list[tuple[int, date, date, int]] = field(default_factory=list)
    current_start: date | None = None


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Share ``total`` out in proportion to ``weights`` (largest remainder), each getting at least ``minimum``."""
    rest = total - minimum * len(weights)
    whole = sum(weights)
    raw = [rest * w / whole for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [minimum + c for c in counts]


def _years_for(spec: SchoolSpec) -> tuple[list[int], list[float]]:
    if spec.phase == P:
        return list(range(0, 7)), [1.0] * 7
    if spec.phase == S:
        years, weights = list(range(7, 12)), [1.0] * 5
        if spec.sixth_form:
            years += [12, 13]
            weights += [0.55, 0.45]
        return years, weights
    if spec.phase == SP:
        return list(range(0, 14)), [0.4] + [0.8] * 6 + [1.2] * 5 + [0.6] * 2
    return [9, 10, 11], [1.0, 2.0, 3.0]  # alternative provision


def _dob_range(nc_year: int) -> tuple[date, date]:
    """Birthdays for an NC year in the current academic year (Reception: 1 Sep 2021 to 31 Aug 2022)."""
    return date(CURRENT_YEAR - 5 - nc_year, 9, 1), date(CURRENT_YEAR - 4 - nc_year, 8, 31)


# Years between siblings, as often as families have them.
SIBLING_GAPS = [1, 1, 2, 2, 2, 3, 3, 4, 5, 6]


class _ChildPicker:
    """Children not yet in a household, by school and year, handed out once each."""

    def __init__(self, kids: list[_Child], rng: random.Random):
        self.rng = rng
        self.buckets: dict[tuple[int, int], list[int]] = {}
        for i, child in enumerate(kids):
            if not child.looked_after:
                self.buckets.setdefault((child.school, child.nc_year), []).append(i)
        self.taken = [False] * len(kids)

    def take(self, school: int, nc_year: int) -> int | None:
        bucket = self.buckets.get((school, nc_year))
        while bucket:
            i = bucket.pop()
            if not self.taken[i]:
                self.taken[i] = True
                return i
        return None

    def take_any(self, school: int, years: list[int]) -> int | None:
        years = years[:]
        self.rng.shuffle(years)
        for year in years:
            i = self.take(school, year)
            if i is not None:
                return i
        return None


class _Generator:
    def __init__(self, seed: int, pupils: int):
        if not MIN_PUPILS <= pupils <= MAX_PUPILS:
            raise ValueError(f"pupils must be between {MIN_PUPILS} and {MAX_PUPILS} (so every school has a roll).")
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_pupils = pupils
        self.specs = SCHOOLS
        self.index = {spec.name: i for i, spec in enumerate(self.specs)}
        self.closure_dates: set[date] = set()
        self.term_ranges: list[tuple[date, date, date, date]] = []

    # -- organisation and calendar -----------------------------------------------------------------------------

    def organisation(self):
        rng = self.rng
        self.la = LocalAuthority(name=LA_NAME, la_code=LA_CODE, service_name=SERVICE_NAME, address=LA_ADDRESS,
                                 phone=LA_PHONE, email=LA_EMAIL)
        self.partnerships = {name: Partnership(name=name, kind=Partnership.Kind.PARTNERSHIP) for name in PARTNERSHIPS}
        estabs = {phase: sorted(rng.sample(ESTAB_RANGES[phase], sum(s.phase == phase for s in self.specs)))
                  for phase in ESTAB_RANGES}
        urns: set[str] = set()
        self.schools: list[School] = []
        for spec in self.specs:
            low, high = (136000, 151999) if spec.school_type in ACADEMY_TYPES else (114000, 114999)
            urn = str(rng.randint(low, high))
            while urn in urns:
                urn = str(rng.randint(low, high))
            urns.add(urn)
            self.schools.append(School(
                urn=urn, laestab=f"{LA_CODE}{estabs[spec.phase].pop(0)}", name=spec.name, phase=spec.phase,
                school_type=spec.school_type, partnership=self.partnerships[spec.partnership],
            ))
        self.estab = [school.laestab[3:] for school in self.schools]
        self.by_partnership: dict[tuple[str, str], list[int]] = {}
        for i, spec in enumerate(self.specs):
            self.by_partnership.setdefault((spec.partnership, spec.phase), []).append(i)
        self.feeders: dict[int, list[int]] = {}
        for i, spec in enumerate(self.specs):
            if spec.feeder:
                self.feeders.setdefault(self.index[spec.feeder], []).append(i)

    def calendar(self):
        self.academic_years = {
            year: AcademicYear(name=f"{year}/{(year + 1) % 100:02d}", start_date=date(year, 9, 1),
                               end_date=date(year + 1, 8, 31))
            for year in LA_TERMS
        }
        academy = self.schools[self.index[OWN_TERMS_ACADEMY]]
        self.terms: list[Term] = []
        for year, terms in LA_TERMS.items():
            for name, start, end, ht_start, ht_end in terms:
                self.terms.append(Term(academic_year=self.academic_years[year], name=name, start_date=start,
                                       end_date=end, half_term_start=ht_start, half_term_end=ht_end))
                self.term_ranges.append((start, end, ht_start, ht_end))
            for name, start, end, ht_start, ht_end in ACADEMY_TERMS[year]:
                self.terms.append(Term(academic_year=self.academic_years[year], name=name, school=academy,
                                       start_date=start, end_date=end, half_term_start=ht_start, half_term_end=ht_end))
        first, last = date(min(LA_TERMS), 9, 1), date(max(LA_TERMS) + 1, 8, 31)
        self.closures = [Closure(date=day, kind=Closure.Kind.BANK_HOLIDAY, reason=reason)
                         for day, reason in english_bank_holidays(first, last)]
        self.closures += [Closure(date=day, kind=Closure.Kind.INSET, reason="INSET day (LA calendar)")
                          for day in LA_INSET_DAYS]
        self.closures += [Closure(date=day, school=academy, kind=Closure.Kind.INSET, reason="Academy INSET day")
                          for day in ACADEMY_INSET_DAYS]
        self.closures.sort(key=lambda c: (c.date, c.school is not None))
        self.closure_dates = {c.date for c in self.closures if c.school is None}

    def autumn_start(self, year: int, school: int) -> date:
        """First day of the autumn term starting in ``year`` at a school (enrolments start then)."""
        terms = ACADEMY_TERMS if self.specs[school].name == OWN_TERMS_ACADEMY else LA_TERMS
        if year in terms:
            return terms[year][0][1]
        day = date(year, 9, 3)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def is_school_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self.closure_dates:
            return False
        if day >= date(2025, 9, 1):
            return any(start <= day <= end and not (hs <= day <= he) for start, end, hs, he in self.term_ranges)
        return day.month != 8

    def school_day_between(self, first: date, last: date) -> date | None:
        """A random school day in [first, last], or None if there is none near the draw."""
        if last < first:
            return None
        span = (last - first).days
        for _ in range(30):  # draw again rather than step, so days after holidays are not over-represented
            day = first + timedelta(days=self.rng.randint(0, span))
            if self.is_school_day(day):
                return day
        for step in (1, -1):
            probe = day
            while first <= probe <= last:
                if self.is_school_day(probe):
                    return probe
                probe += timedelta(days=step)
        return None

    # -- pupils --------------------------------------------------------------------------------------------------

    def names_for(self, ethnicity: str, sex: str) -> tuple[str, str]:
        rng = self.rng
        group = NAME_GROUP[ethnicity]
        if group == "mixed":
            first = rng.choice(BRITISH_GIRLS if sex == "F" else BRITISH_BOYS)
            surname_group = MIXED_SURNAME_GROUP.get(ethnicity) or rng.choice(["european", "black", "asian", "other"])
            surnames = BRITISH_SURNAMES if rng.random() < 0.5 else NAMES[surname_group][2]
            return first, rng.choice(surnames)
        girls, boys, surnames = NAMES[group]
        return rng.choice(girls if sex == "F" else boys), rng.choice(surnames)

    def first_name_for(self, ethnicity: str, sex: str) -> str:
        group = NAME_GROUP[ethnicity]
        if group == "mixed":
            group = "british"
        girls, boys, _ = NAMES[group]
        return self.rng.choice(girls if sex == "F" else boys)

    def make_child(self, school: int, nc_year: int) -> _Child:
        rng = self.rng
        spec = self.specs[school]
        phase = spec.phase
        sex = "M" if rng.random() < MALE_RATES[phase] else "F"
        first_dob, last_dob = _dob_range(nc_year)
        dob = first_dob + timedelta(days=rng.randint(0, (last_dob - first_dob).days))
        ethnicity = rng.choices(ETHNICITY_CODES, cum_weights=ETHNICITY_CUM)[0]
        first, last = self.names_for(ethnicity, sex)
        eal = rng.random() < EAL_RATE[NAME_GROUP[ethnicity]]
        support, ehcp = SEN_RATES[phase]
        draw = rng.random()
        sen = Pupil.SenStatus.EHCP if draw < ehcp else Pupil.SenStatus.SEN_SUPPORT if draw < ehcp + support else "N"
        fsm_rate = {SP: 0.42, AP: 0.6}.get(phase, FSM_RATES[spec.deprivation])
        fsm = rng.random() < fsm_rate
        looked_after = rng.random() < LAC_RATES[phase]
        cin_cp = ""
        if not looked_after:
            draw = rng.random()
            if draw < CP_RATES[phase]:
                cin_cp = Pupil.CinCp.CP
            elif draw < CP_RATES[phase] + CIN_RATES[phase]:
                cin_cp = Pupil.CinCp.CIN
        return _Child(school=school, nc_year=nc_year, sex=sex, date_of_birth=dob, ethnicity=ethnicity,
                      first_name=first, last_name=last, eal=eal, sen=sen, fsm=fsm, looked_after=looked_after,
                      cin_cp=cin_cp)

    def children(self):
        rng = self.rng
        counts = _allocate(self.n_pupils, [spec.size for spec in self.specs], minimum=3)
        kids: list[_Child] = []
        for school, count in enumerate(counts):
            years, weights = _years_for(self.specs[school])
            cum = list(accumulate(weights))
            for _ in range(count):
                kids.append(self.make_child(school, rng.choices(years, cum_weights=cum)[0]))
        rng.shuffle(kids)
        self.kids = kids

    # -- families ------------------------------------------------------------------------------------------------

    def pick_weighted_school(self, candidates: list[int]) -> int:
        return self.rng.choices(candidates, weights=[self.specs[i].size for i in candidates])[0]

    def home_schools(self, child: _Child) -> tuple[int, int]:
        """The primary and secondary a household's children go to (by the first child's school)."""
        rng = self.rng
        spec = self.specs[child.school]
        primaries = self.by_partnership[(spec.partnership, P)]
        secondaries = self.by_partnership[(spec.partnership, S)]
        if spec.phase == S:
            return self.pick_weighted_school(self.feeders.get(child.school) or primaries), child.school
        primary = child.school if spec.phase == P else self.pick_weighted_school(primaries)
        feeder = self.index[self.specs[primary].feeder]
        return primary, feeder if rng.random() < 0.85 else rng.choice(secondaries)

    def families(self):
        rng = self.rng
        kids = self.kids
        picker = _ChildPicker(kids, rng)
        # (children, home primary) per household; foster placements have no home primary.
        households: list[tuple[list[int], int | None]] = []
        # Two households with a child at each of the school users' schools, so their sibling views overlap.
        school1, school2 = self.index[SCHOOL_USER_SCHOOL], self.index[SCHOOL2_USER_SCHOOL]
        for _ in range(2):
            older, younger = picker.take_any(school1, list(range(7, 12))), picker.take_any(school2, list(range(0, 7)))
            members = [i for i in (older, younger) if i is not None]
            if members:
                households.append((members, school2))

        target = round(FAMILY_SHARE * len(kids))
        in_family = sum(len(members) for members, _ in households)
        order = [i for i, child in enumerate(kids) if not child.looked_after]
        rng.shuffle(order)
        for first in order:
            if in_family >= target:
                break
            if picker.taken[first]:
                continue
            picker.taken[first] = True
            members, primary = self.household_around(first, picker)
            households.append((members, primary))
            in_family += len(members)

        # Looked-after children: most have a foster household of their own.
        for i, child in enumerate(kids):
            if child.looked_after and rng.random() < 0.7:
                households.append(([i], None))
        self.households = households
        for number, (members, _) in enumerate(households):
            for i in members:
                kids[i].family = number
        self.home_primary = {number: primary for number, (_, primary) in enumerate(households)}
        self.harmonise_households()

    def household_around(self, first: int, picker: _ChildPicker) -> tuple[list[int], int]:
        """A household for the child: 1 to 4 children (now and then twins), siblings a few years apart at the
        family's home schools or elsewhere in the partnership; with the home primary."""
        rng, child = self.rng, self.kids[first]
        primary, secondary = self.home_schools(child)
        members, years = [first], {child.nc_year}
        size = rng.choices([1, 2, 3, 4], weights=[40, 37, 17, 6])[0]
        for _ in range(size - 1):
            if rng.random() < 0.025:  # twins: same school and year, same birthday
                twin = picker.take(child.school, child.nc_year)
                if twin is not None:
                    self.kids[twin].date_of_birth = child.date_of_birth
                    members.append(twin)
                continue
            sibling, year = self.sibling_of(child, years, primary, secondary, picker)
            if sibling is not None:
                members.append(sibling)
                years.add(year)
        return members, primary

    def sibling_of(self, child: _Child, years: set[int], primary: int, secondary: int,
                   picker: _ChildPicker) -> tuple[int | None, int | None]:
        """Up to four tries at a brother or sister in a year the household has no child in yet."""
        rng = self.rng
        partnership = self.specs[child.school].partnership
        for _attempt in range(4):
            year = child.nc_year + rng.choice(SIBLING_GAPS) * rng.choice([-1, 1])
            if not 0 <= year <= 13 or year in years:
                continue
            school = primary if year <= 6 else secondary
            if rng.random() < 0.04:
                school = rng.choice(self.by_partnership.get((partnership, SP), [school]))
            sibling = picker.take(school, year)
            if sibling is None:  # the sibling goes elsewhere in the partnership
                phase = self.specs[school].phase
                sibling = picker.take(rng.choice(self.by_partnership[(partnership, phase)]), year)
            if sibling is not None:
                return sibling, year
        return None, None

    def harmonise_households(self):
        """Siblings share a household's surname (mostly), ethnicity, home language, meals and social worker."""
        rng = self.rng
        for members, primary in self.households:
            if primary is None:
                continue
            lead = self.kids[members[0]]
            for i in members[1:]:
                child = self.kids[i]
                if rng.random() < 0.95 and child.ethnicity != lead.ethnicity:
                    child.ethnicity = lead.ethnicity
                    child.first_name = self.first_name_for(child.ethnicity, child.sex)
                child.eal = lead.eal if child.ethnicity == lead.ethnicity else child.eal
                child.fsm = lead.fsm
                if rng.random() < 0.85:
                    child.last_name = lead.last_name
                if lead.cin_cp and not child.looked_after and rng.random() < 0.7:
                    child.cin_cp = lead.cin_cp

    # -- enrolments ----------------------------------------------------------------------------------------------

    def enrolments(self):
        rng = self.rng
        last_start = REFERENCE_DATE - timedelta(days=3)
        for child in self.kids:
            spec = self.specs[child.school]
            phase = spec.phase
            if phase == P:
                natural = self.autumn_start(CURRENT_YEAR - child.nc_year, child.school)
            elif phase == S:
                natural = self.autumn_start(CURRENT_YEAR - (child.nc_year - 7), child.school)
            else:
                natural = None
            if phase == S and child.nc_year == 7:
                # Moved up from primary in the summer: an ended Year 6 enrolment.
                household = self.home_primary.get(child.family) if child.family is not None else None
                primary = household if household is not None else self.pick_weighted_school(
                    self.feeders.get(child.school) or self.by_partnership[(spec.partnership, P)])
                start = self.autumn_start(CURRENT_YEAR - 7, primary)
                if rng.random() < 0.15:
                    start = self.school_day_between(date(CURRENT_YEAR - 6, 9, 7), date(CURRENT_YEAR - 1, 7, 1)) or start
                child.history.append((primary, start, LEAVERS_DATE, 6))
                child.current_start = natural
            elif phase == AP:
                child.current_start = (self.school_day_between(date(2025, 9, 8), last_start)
                                       or self.autumn_start(CURRENT_YEAR, child.school))
                if rng.random() < 0.6:
                    # Permanently excluded or moved on from a secondary school.
                    secondary = rng.choice(self.by_partnership[(spec.partnership, S)])
                    ended = self.school_day_between(child.current_start - timedelta(days=20),
                                                    child.current_start - timedelta(days=1))
                    ended = ended or child.current_start - timedelta(days=1)
                    year = child.nc_year if ended >= date(CURRENT_YEAR, 9, 1) else child.nc_year - 1
                    start = self.autumn_start(CURRENT_YEAR - (child.nc_year - 7), secondary)
                    if ended > start:
                        child.history.append((secondary, start, ended, year))
            elif phase == SP:
                entry = CURRENT_YEAR - child.nc_year
                if rng.random() < 0.6:
                    child.current_start = self.autumn_start(rng.randint(entry, CURRENT_YEAR), child.school)
                else:
                    child.current_start = self.school_day_between(date(entry, 9, 7), last_start)
                child.current_start = child.current_start or self.autumn_start(CURRENT_YEAR, child.school)
            elif child.nc_year <= 11 and rng.random() < 0.015:
                self.move_between_schools(child, natural, last_start)
            elif rng.random() < 0.06:
                # Arrived during the year from outside the authority (no earlier enrolment here).
                child.in_year_arrival = True
                child.current_start = self.school_day_between(natural + timedelta(days=30), last_start) or natural
            else:
                child.current_start = natural

    def move_between_schools(self, child: _Child, natural: date, last_start: date):
        """A mid-year move: an ended enrolment at another school of the same phase, then the current one."""
        rng = self.rng
        spec = self.specs[child.school]
        same_phase = [i for i, other in enumerate(self.specs) if other.phase == spec.phase and i != child.school]
        nearby = [i for i in self.by_partnership[(spec.partnership, spec.phase)] if i != child.school]
        previous = rng.choice(nearby if nearby and rng.random() < 0.6 else same_phase)
        start = self.autumn_start(natural.year, previous)
        earliest = max(start + timedelta(days=60), date(2025, 9, 8))
        ended = self.school_day_between(earliest, last_start - timedelta(days=14))
        if ended is None:
            child.current_start = natural
            return
        joined = self.school_day_between(ended + timedelta(days=1), ended + timedelta(days=15))
        if joined is None or joined > last_start:
            child.current_start = natural
            return
        year = child.nc_year if ended >= date(CURRENT_YEAR, 9, 1) else child.nc_year - 1
        child.history.append((previous, start, ended, year))
        child.current_start = joined

    # -- identifiers ---------------------------------------------------------------------------------------------

    def upns(self):
        rng = self.rng
        counters: dict[tuple[str, int], int] = {}
        primary_estabs = [self.estab[i] for i, spec in enumerate(self.specs) if spec.phase == P]

        def allocate(estab: str, year: int) -> str:
            for candidate in [estab, *primary_estabs]:
                if (candidate, year) not in counters:  # schools' serials do not all start at 001
                    counters[(candidate, year)] = rng.randint(0, 60)
                serial = counters[(candidate, year)] + 1
                if serial <= 999:
                    counters[(candidate, year)] = serial
                    body = f"{LA_CODE}{candidate}{year % 100:02d}{serial:03d}"
                    return upn_check_letter(body) + body
            raise RuntimeError("Ran out of UPN serial numbers; use fewer pupils.")

        self.upn_list: list[str] = []
        self.former_upns: list[str] = []
        former_seen: set[str] = set()
        for child in self.kids:
            spec = self.specs[child.school]
            if child.in_year_arrival:
                first_school, year = child.school, child.current_start.year
            elif child.history and self.specs[child.history[0][0]].phase == P:
                first_school, year = child.history[0][0], CURRENT_YEAR - child.nc_year
            elif spec.phase == P:
                first_school, year = child.school, CURRENT_YEAR - child.nc_year
            else:
                household = self.home_primary.get(child.family) if child.family is not None else None
                first_school = household if household is not None else self.pick_weighted_school(
                    self.feeders.get(child.school) or self.by_partnership[(spec.partnership, P)])
                year = CURRENT_YEAR - max(child.nc_year, 0)
            self.upn_list.append(allocate(self.estab[first_school], year))
            former = ""
            if rng.random() < 0.015:
                while not former or former in former_seen:
                    if rng.random() < 0.4:
                        # A temporary UPN this authority gave before the permanent one: it ends in a letter.
                        body = (f"{LA_CODE}{rng.randint(2001, 2999)}{rng.randint(10, 26)}{rng.randint(0, 99):02d}"
                                f"{rng.choice(CHECK_LETTERS)}")
                    else:  # a permanent UPN from another authority, replaced on arrival
                        body = (f"{rng.choice(['846', '938', '886', '936', '210', '317'])}{rng.randint(1000, 7999)}"
                                f"{rng.randint(10, 26)}{rng.randint(1, 999):03d}")
                    former = upn_check_letter(body) + body
                former_seen.add(former)
            self.former_upns.append(former)
        if len(set(self.upn_list)) != len(self.upn_list):  # pragma: no cover - guarded by the counters
            raise RuntimeError("Duplicate UPN generated.")

    # -- households' adults --------------------------------------------------------------------------------------

    def carer_name(self, relationship: str, surname: str, ethnicity: str) -> tuple[str, str]:
        rng = self.rng
        group = NAME_GROUP[ethnicity]
        female = {"mother": True, "father": False}.get(relationship, rng.random() < 0.6)
        if relationship == "grandparent":
            first = rng.choice(GRANDMOTHERS if female else GRANDFATHERS)
        elif group in ("british", "mixed", "irish", "traveller"):
            first = rng.choice(ADULT_WOMEN if female else ADULT_MEN)
        else:
            first = self.first_name_for(ethnicity, "F" if female else "M")
        if relationship in ("step-parent", "foster carer") or (relationship == "mother" and rng.random() < 0.3):
            surname = self.names_for(ethnicity if relationship != "foster carer" else E.WBRI, "F")[1]
        return first, surname

    def contact(self, first: str, last: str) -> tuple[str, str]:
        rng = self.rng
        phone = f"07700 900{rng.randint(0, 999):03d}"
        email = "" if rng.random() < 0.15 else f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.com"
        return phone, email

    def address(self, town: str) -> tuple[str, str, str]:
        rng = self.rng
        outward, sectors = rng.choice(POSTCODES[town])
        unit = rng.choice(POSTCODE_UNIT_LETTERS) + rng.choice(POSTCODE_UNIT_LETTERS)
        postcode = f"{outward} {rng.choice(sectors)}{unit}"
        line_1 = f"{rng.randint(1, 160)} {rng.choice(STREETS)}"
        if rng.random() < 0.15:
            line_1 = f"Flat {rng.randint(1, 12)}, {line_1}"
        return line_1, town, postcode

    def households_and_carers(self):
        rng = self.rng
        self.family_objects: list[Family] = []
        self.carers: list[Carer] = []
        for members, primary in self.households:
            lead = self.kids[members[0]]
            foster = primary is None
            town = self.specs[primary if primary is not None else lead.school].town
            line_1, town, postcode = self.address(town)
            if foster:
                relationships = ["foster carer"] * (2 if rng.random() < 0.55 else 1)
            else:
                main = rng.choices(["mother", "father", "grandparent"], weights=[74, 17, 9])[0]
                relationships = [main]
                if rng.random() < 0.6:
                    second = {"mother": (["father", "step-parent", "grandparent"], [65, 25, 10]),
                              "father": (["mother", "step-parent", "grandparent"], [60, 30, 10]),
                              "grandparent": (["grandparent", "mother"], [70, 30])}[main]
                    relationships.append(rng.choices(*second)[0])
            adults = []
            for number, relationship in enumerate(relationships):
                first, last = self.carer_name(relationship, lead.last_name, lead.ethnicity)
                if foster and number == 1:
                    last = adults[0][1]
                adults.append((first, last, relationship))
            notes = ""
            if foster:
                family_name = f"{adults[0][1]} family (foster carers)"
                notes = "Foster placement. The local authority shares parental responsibility with the birth parents."
            else:
                family_name = f"{lead.last_name} family"
                if lead.eal and NAME_GROUP[lead.ethnicity] in LANGUAGES and rng.random() < 0.5:
                    languages = LANGUAGES[NAME_GROUP[lead.ethnicity]]
                    language = SURNAME_LANGUAGES.get(lead.last_name) or rng.choice(languages)
                    notes = f"Main carer prefers to speak {language}; book an interpreter for meetings."
            family = Family(name=family_name, address_line_1=line_1, town=town, postcode=postcode, notes=notes)
            self.family_objects.append(family)
            for number, (first, last, relationship) in enumerate(adults):
                phone, email = self.contact(first, last)
                if relationship in ("mother", "father"):
                    responsibility = rng.random() < 0.97
                elif relationship == "grandparent":
                    responsibility = rng.random() < 0.4  # special guardianship or a child arrangements order
                elif relationship == "step-parent":
                    responsibility = rng.random() < 0.2
                else:
                    responsibility = False
                separate = ""
                if number == 1 and relationship in ("father", "mother") and rng.random() < 0.2:
                    separate = ", ".join(self.address(rng.choice(list(POSTCODES))))
                self.carers.append(Carer(
                    family=family, full_name=f"{first} {last}", relationship=relationship,
                    parental_responsibility=responsibility, is_main_contact=number == 0, phone=phone, email=email,
                    address=separate,
                ))

    # -- model instances -----------------------------------------------------------------------------------------

    def social_worker(self) -> tuple[str, str]:
        rng = self.rng
        name = rng.choice(SOCIAL_WORKERS)
        first, last = name.split(" ", 1)
        team = rng.choice(["Children's Services (Hastings)", "Children's Services (Eastbourne)",
                           "Children's Services (Lewes)", "Children's Services (Wealden)",
                           "Looked After Children Service"])
        number = SOCIAL_WORKERS.index(name)
        return name, f"{team}: 01632 960{100 + number * 7:03d}, {_ascii(first)}.{_ascii(last)}@example.com"

    def pupil_objects(self):
        rng = self.rng
        family_worker: dict[int, tuple[str, str]] = {}
        self.pupils: list[Pupil] = []
        self.enrolment_objects: list[Enrolment] = []
        for number, child in enumerate(self.kids):
            preferred_first = ""
            if child.first_name in NICKNAMES and rng.random() < 0.2:
                preferred_first = NICKNAMES[child.first_name]
            elif rng.random() < 0.01:  # known by another name altogether, e.g. a middle name
                preferred_first = self.first_name_for(child.ethnicity, child.sex)
                preferred_first = "" if preferred_first == child.first_name else preferred_first
            preferred_last = ""
            if rng.random() < 0.015:
                preferred_last = rng.choice([s for s in BRITISH_SURNAMES if s != child.last_name])
            worker_name = worker_contact = ""
            if child.looked_after or child.cin_cp:
                if child.family is not None and not child.looked_after:
                    worker_name, worker_contact = family_worker.setdefault(child.family, self.social_worker())
                else:
                    worker_name, worker_contact = self.social_worker()
            disadvantaged = child.fsm or child.looked_after or rng.random() < 0.06
            pupil = Pupil(
                upn=self.upn_list[number], former_upn=self.former_upns[number], legal_first_name=child.first_name,
                legal_last_name=child.last_name, preferred_first_name=preferred_first,
                preferred_last_name=preferred_last, date_of_birth=child.date_of_birth, sex=child.sex,
                ethnicity=child.ethnicity, sen_status=child.sen, fsm_eligible=child.fsm, disadvantaged=disadvantaged,
                eal=child.eal, looked_after=child.looked_after, cin_cp=child.cin_cp, social_worker_name=worker_name,
                social_worker_contact=worker_contact,
                family=self.family_objects[child.family] if child.family is not None else None,
            )
            self.pupils.append(pupil)
            for school, start, end, year in child.history:
                self.enrolment_objects.append(Enrolment(pupil=pupil, school=self.schools[school], start_date=start,
                                                        end_date=end, nc_year=year))
            self.enrolment_objects.append(Enrolment(pupil=pupil, school=self.schools[child.school],
                                                    start_date=child.current_start, nc_year=child.nc_year))

    def users(self, seed: int) -> list[UserSpec]:
        school1 = self.schools[self.index[SCHOOL_USER_SCHOOL]]
        school2 = self.schools[self.index[SCHOOL2_USER_SCHOOL]]
        everyone = "Every school and pupil in the authority"
        people = [
            ("admin", Role.LA_ADMIN, "Alex", "Morgan", "Attendance systems administrator",
             f"{everyone}; administers users, schools, calendars and code tables", None),
            ("manager", Role.LA_MANAGER, "Helen", "Carter", "Attendance and inclusion service manager",
             f"{everyone}; reads the audit log", None),
            ("officer", Role.LA_OFFICER, "Priya", "Shah", "Education welfare officer", everyone, None),
            ("legal", Role.LEGAL_OFFICER, "David", "Okafor", "Legal officer (education prosecutions)",
             f"{everyone} (read and export; no pupil edits)", None),
            ("school", Role.SCHOOL_USER, "Claire", "Hughes", f"Attendance lead, {school1.name}",
             f"School user: {school1.name} only", school1),
            ("school2", Role.SCHOOL_USER, "Mark", "Ellis", f"Deputy headteacher (attendance), {school2.name}",
             f"School user: {school2.name} only", school2),
        ]
        officers = [("Sian", "Roberts", "Senior education welfare officer"),
                    ("Jamal", "Bennett", "Education welfare officer"),
                    ("Kirsty", "Holloway", "Education welfare officer"),
                    ("Tom", "Verrall", "Attendance support officer"),
                    ("Grace", "Adebayo", "Children missing education officer")]
        for number, (first, last, title) in enumerate(officers, start=2):
            people.append((f"officer{number}", Role.LA_OFFICER, first, last, title, everyone, None))
        return [UserSpec(username=username, password=f"demo-{username}-{seed}", role=role, first_name=first,
                         last_name=last, job_title=title, sees=sees, school=school)
                for username, role, first, last, title, sees, school in people]

    def build(self) -> DemoPlan:
        self.organisation()
        self.calendar()
        self.children()
        self.families()
        self.enrolments()
        self.upns()
        self.households_and_carers()
        self.pupil_objects()
        return DemoPlan(
            la=self.la, partnerships=list(self.partnerships.values()), schools=self.schools,
            academic_years=list(self.academic_years.values()), terms=self.terms, closures=self.closures,
            families=self.family_objects, carers=self.carers, pupils=self.pupils, enrolments=self.enrolment_objects,
            users=self.users(self.seed),
        )


def build_plan(*, seed: int = 2026, pupils: int = 15000) -> DemoPlan:
    """The demo data as unsaved model instances; the same arguments always give the same plan."""
    return _Generator(seed, pupils).build()


def existing_data() -> list[str]:
    """What already in the database would clash with the demo (empty when it is safe to load)."""
    found = []
    if count := School.objects.count():
        found.append(f"{count} school(s)")
    if count := LocalAuthority.objects.count():
        found.append(f"{count} local authority record(s)")
    if count := Partnership.objects.filter(name__in=PARTNERSHIPS).count():
        found.append(f"{count} of the demo partnerships")
    if count := AcademicYear.objects.filter(name__in=[f"{y}/{(y + 1) % 100:02d}" for y in LA_TERMS]).count():
        found.append(f"{count} of the demo academic years")
    usernames = ["admin", "manager", "officer", "legal", "school", "school2"] + [f"officer{n}" for n in range(2, 7)]
    if taken := list(User.objects.filter(username__in=usernames).order_by("username").values_list("username",
                                                                                                     flat=True)):
        found.append("user(s) " + ", ".join(taken))
    return found


def load_demo(*, seed: int = 2026, pupils: int = 15000, stdout=None) -> dict:
    """Create the demo authority in one transaction and return the logins, keyed by username.

    Each login is ``{"role", "role_label", "password", "sees", "name", "job_title"}``. Raises
    :class:`DemoDataExists` (and writes nothing) if the database already holds schools, an authority, or users with
    the demo usernames.
    """

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    with transaction.atomic():
        if clashes := existing_data():
            raise DemoDataExists("Demo data already present (" + "; ".join(clashes) + "). Load it into an empty "
                                 "database, or use --if-empty to skip loading when schools exist.")
        plan = build_plan(seed=seed, pupils=pupils)
        plan.la.save()
        Partnership.objects.bulk_create(plan.partnerships)
        School.objects.bulk_create(plan.schools)
        AcademicYear.objects.bulk_create(plan.academic_years)
        Term.objects.bulk_create(plan.terms)
        Closure.objects.bulk_create(plan.closures)
        say(f"{len(plan.schools)} schools in {len(plan.partnerships)} partnerships; {len(plan.terms)} terms and "
            f"{len(plan.closures)} closure days over {len(plan.academic_years)} academic years")
        Family.objects.bulk_create(plan.families, batch_size=BATCH_SIZE)
        Carer.objects.bulk_create(plan.carers, batch_size=BATCH_SIZE)
        Pupil.objects.bulk_create(plan.pupils, batch_size=BATCH_SIZE)
        Enrolment.objects.bulk_create(plan.enrolments, batch_size=BATCH_SIZE)
        say(f"{len(plan.pupils)} pupils, {len(plan.enrolments)} enrolments, {len(plan.families)} families, "
            f"{len(plan.carers)} carers")
        logins = {}
        for spec in plan.users:
            user = User.objects.create_user(
                spec.username, email=f"{spec.username}@example.com", password=spec.password, role=spec.role,
                first_name=spec.first_name, last_name=spec.last_name, job_title=spec.job_title,
                # Ofcom's drama range (01632 960xxx): numbers that reach nobody.
                phone=f"01632 960{100 + len(logins):03d}" if spec.role != Role.SCHOOL_USER else "",
                is_staff=spec.role == Role.LA_ADMIN, is_superuser=spec.role == Role.LA_ADMIN,
            )
            if spec.school is not None:
                user.schools.add(spec.school)
            logins[spec.username] = {
                "role": spec.role, "role_label": Role(spec.role).label, "password": spec.password, "sees": spec.sees,
                "name": f"{spec.first_name} {spec.last_name}", "job_title": spec.job_title,
            }
        say(f"{len(logins)} users")
        # Every area's demo records, each step needing what the ones before it made (registers need the
        # enrolments, casework the users, legal work the cases; reports count everything): the apps provide their
        # steps and their order (schools.common.providers, each app's AppConfig.ready).
        for _name, load_step in providers.steps("demo"):
            load_step(seed=seed, stdout=stdout)
    return logins


# The first user of each role: the logins a newcomer needs printed every time the service starts.
PRINTED_DEMO_USERS = ("admin", "manager", "officer", "legal", "school", "school2")


def existing_demo_logins(*, seed: int = 2026) -> dict:
    """Demo users still holding their demo password, in the same shape load_demo returns.

    Only users whose password still matches are listed, so a password someone changed is never printed.
    """
    logins = {}
    users = User.objects.filter(username__in=PRINTED_DEMO_USERS).prefetch_related("schools")
    for user in sorted(users, key=lambda u: PRINTED_DEMO_USERS.index(u.username)):
        password = f"demo-{user.username}-{seed}"
        if not user.check_password(password):
            continue
        schools = ", ".join(school.name for school in user.schools.all())
        sees = f"School user: {schools} only" if user.role == Role.SCHOOL_USER else "Every school and pupil"
        logins[user.username] = {
            "role": user.role, "role_label": Role(user.role).label, "password": password, "sees": sees,
            "name": user.get_full_name(), "job_title": user.job_title,
        }
    return logins

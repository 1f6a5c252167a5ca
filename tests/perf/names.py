"""Names for the benchmark LA's pupils: common first names of children born in England and Wales in the 2010s and
common surnames in England (ONS baby-name and surname frequency lists, the most frequent of each). A search in the
load test then meets what an officer's search meets: a surname shared by hundreds of pupils, a first name and
surname shared by a few, a partial surname; not one synthetic name shared by every pupil."""

from __future__ import annotations

FIRST_NAMES = (
    "Oliver George Harry Jack Jacob Noah Charlie Muhammad Thomas Oscar William James Henry Leo Alfie Joshua Freddie "
    "Archie Ethan Isaac Alexander Joseph Edward Samuel Max Daniel Arthur Lucas Mohammed Logan Theo Harrison Benjamin "
    "Mason Sebastian Finley Adam Dylan Zachary Riley Teddy Theodore David Elijah Jake Toby Louie Reuben Arlo Hugo "
    "Olivia Amelia Isla Ava Emily Isabella Mia Poppy Ella Lily Evie Sophia Sophie Grace Jessica Freya Scarlett "
    "Chloe Daisy Alice Ruby Florence Sienna Phoebe Matilda Evelyn Elsie Rosie Imogen Lola Millie Eva Willow Harper "
    "Ivy Layla Erin Esme Maya Jasmine Aisha Zara Hannah Holly Lucy Amber Maryam Leah Molly Emma Charlotte"
).split()

SURNAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright Walker "
    "White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris "
    "Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
    "Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali "
    "Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher "
    "Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart "
    "Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill "
    "Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson "
    "Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland "
    "Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates "
    "Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton "
    "Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy "
    "Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan "
    "Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read Miles Stevenson Stephenson Hammond Arnold "
    "Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan Whitehead Mann Frost Lambert Stephens Blake "
    "Akhtar Lynch Goodwin Barton Woodward Thomson Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood "
    "Jennings Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks "
    "French Stanley Jarvis Gibbs Ferguson Hayward Carroll Douglas Dickinson Todd Barlow Peters Lucas Knowles "
    "Hartley Miah Simmons Morton Alexander Field Morrison Norris Townsend Preston Hancock Thornton Baldwin Burrows "
    "Briggs Storey Pope Ahmad Nolan Brennan Marriott Kirby Lamb Sanderson Hargreaves Rahman Norton Iqbal Kaya"
).split()


def pupil_name(n: int) -> tuple[str, str]:
    """The first name and surname of the benchmark LA's n-th pupil: spread evenly, each pair about equally often."""
    mixed = (n * 2654435761) % 4294967296  # Knuth's multiplicative hash: neighbours get unrelated names
    return FIRST_NAMES[mixed % len(FIRST_NAMES)], SURNAMES[(mixed // len(FIRST_NAMES)) % len(SURNAMES)]

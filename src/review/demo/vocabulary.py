"""Word lists the demo corpus is composed from. All titles and abstracts are synthetic."""

from __future__ import annotations

SURNAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs",
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen",
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsen", "Hansen",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Tanaka", "Suzuki", "Sato",
    "Watanabe", "Ito", "Nakamura", "Kobayashi", "García", "Martínez", "López", "Smith",
    "Brown", "Wilson", "Taylor", "Thomas", "Roberts", "O'Brien", "Nguyen", "Kim", "Chen",
    "Wang", "Li", "Zhang", "Rossi", "Russo", "Ferrari", "Dubois", "Lefèvre", "Novak",
)
FORENAMES = (
    "Anna", "Pieter", "Johannes", "Maria", "Sanne", "Lotte", "Daan", "Ruben", "Eva", "Femke",
    "Mikko", "Jussi", "Kaisa", "Anders", "Karin", "Lars", "Ingrid", "Hiroshi", "Yuki",
    "Keiko", "Takeshi", "Carlos", "Lucía", "James", "Sarah", "Emily", "David", "Thomas",
    "Wei", "Min-jun", "Giulia", "Marco", "Claire", "Jean", "Petra", "Jan", "Ute", "Klaus",
)
JOURNALS = (
    ("Scandinavian Journal of Work, Environment & Health", "Scand J Work Environ Health"),
    ("Occupational and Environmental Medicine", "Occup Environ Med"),
    ("Journal of Occupational Rehabilitation", "J Occup Rehabil"),
    ("International Archives of Occupational and Environmental Health", "Int Arch Occup Environ Health"),
    ("BMC Public Health", "BMC Public Health"),
    ("European Journal of Public Health", "Eur J Public Health"),
    ("Journal of Affective Disorders", "J Affect Disord"),
    ("Occupational Medicine", "Occup Med (Lond)"),
    ("PLoS ONE", "PLoS One"),
    ("BMJ Open", "BMJ Open"),
    ("Journal of Occupational and Environmental Medicine", "J Occup Environ Med"),
    ("Industrial Health", "Ind Health"),
    ("Work & Stress", "Work Stress"),
    ("Social Psychiatry and Psychiatric Epidemiology", "Soc Psychiatry Psychiatr Epidemiol"),
    ("Depression and Anxiety", "Depress Anxiety"),
    ("Journal of Psychosomatic Research", "J Psychosom Res"),
    ("Tijdschrift voor Bedrijfs- en Verzekeringsgeneeskunde", "Tijdschr Bedrijfs Verzekeringsgeneeskd"),
)

# The review's topic: recurrence of sickness absence after return to work for common mental disorders.
CMD_TERMS = ("common mental disorders", "depression", "anxiety disorders", "adjustment disorder",
             "burnout", "stress-related disorders", "depressive disorder", "mental health problems")
RECURRENCE_TERMS = ("recurrent sickness absence", "recurrence of sickness absence",
                    "repeated sick leave", "relapse after return to work",
                    "recurrent work disability", "a new episode of sick leave")
FACTORS = ("conflict with the supervisor", "high job demands", "low decision latitude",
           "previous sickness absence episodes", "company size", "low socio-economic position",
           "residual depressive symptoms", "low social support at work", "effort-reward imbalance",
           "older age", "chronic somatic disease", "job insecurity", "low self-efficacy",
           "work-family conflict", "shift work", "personality traits")
POPULATIONS = ("employees", "workers", "civil servants", "health care workers", "production workers",
               "office workers", "teachers", "telecom employees", "public-sector employees")
COUNTRIES = ("the Netherlands", "Finland", "Sweden", "Norway", "Denmark", "Japan", "Germany",
             "Belgium", "the United Kingdom", "Canada")
DESIGNS = ("prospective cohort study", "register-based cohort study", "longitudinal study",
           "secondary analysis of a randomised trial", "retrospective cohort study")

# Near-miss topics that a screener must exclude: same words, different question.
NEAR_MISS = (
    ("first episode of sickness absence due to {cmd}", "onset"),
    ("a return-to-work intervention for {pop} with {cmd}: a randomised controlled trial", "intervention"),
    ("recurrent sickness absence due to low back pain among {pop}", "musculoskeletal"),
    ("relapse of {cmd} in primary care patients", "clinical relapse"),
    ("duration of sickness absence due to {cmd} among {pop}", "duration"),
    ("presenteeism and productivity loss in {pop} with {cmd}", "presenteeism"),
)

# Background literature the search also retrieves.
BACKGROUND_SUBJECTS = (
    "shift work and sleep quality", "noise exposure and hearing loss", "occupational asthma",
    "night work and cardiovascular risk", "physical activity at the workplace",
    "musculoskeletal complaints in nurses", "workplace health promotion", "unemployment and health",
    "retirement and cognitive decline", "job strain and hypertension", "bullying at work",
    "digital work and eye strain", "occupational burnout in physicians", "disability pension",
    "work ability index", "leadership and employee well-being", "telework and mental health",
    "obesity and productivity", "alcohol use among workers", "sleep and sickness presenteeism",
    "vocational rehabilitation", "mindfulness training at work", "organisational justice",
    "temporary employment and health", "long working hours and stroke",
)
OUTCOME_WORDS = ("association", "effect", "role", "impact", "predictive value", "contribution")
SETTINGS = ("a cross-sectional survey", "a cohort study", "a systematic review", "a randomised trial",
            "a qualitative study", "a register study", "a case-control study", "a pilot study")
FILLER_SENTENCES = (
    "Data were collected with validated questionnaires and linked to company records.",
    "Analyses were adjusted for age, sex and educational level.",
    "Missing data were handled with multiple imputation.",
    "Sensitivity analyses gave similar results.",
    "Participants were followed for a median of {n} months.",
    "The response rate was {p}%.",
    "Results are reported as hazard ratios with 95% confidence intervals.",
    "Findings were consistent across subgroups defined by age and sex.",
)
MESH_TOPIC = ("Sick Leave", "Absenteeism", "Return to Work", "Recurrence", "Mental Disorders",
              "Depressive Disorder", "Anxiety Disorders", "Burnout, Professional",
              "Occupational Health", "Cohort Studies", "Risk Factors", "Humans", "Adult", "Female", "Male")
MESH_BACKGROUND = ("Occupational Health", "Workplace", "Employment", "Humans", "Adult", "Middle Aged",
                   "Surveys and Questionnaires", "Cross-Sectional Studies", "Prospective Studies",
                   "Occupational Diseases", "Work Schedule Tolerance", "Health Promotion")

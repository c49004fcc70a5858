"""The data pools the synthetic corpus draws from: names, organisations, journals, study designs, modifiers.

Plain data, no logic: every name, journal and organisation is invented or generic. The order of each tuple is
part of the output (Zipf popularity runs over it), so reordering a pool changes the corpus.
"""
from __future__ import annotations

from dataclasses import dataclass

DOI_PREFIX = "10.5555"  # the DOI Handbook's example prefix: synthetic DOIs never name a real work
PMID_BASE = 90_000_000  # past any real PMID for years
PMCID_BASE = 20_000_000
YEARS = range(1990, 2026)

# ------------------------------------------------------------------------------------------- name pools
# (Unicode spelling, LaTeX spelling or None). The LaTeX spelling decodes (pylatexenc) to the Unicode one.
FAMILIES: tuple[tuple[str, str | None], ...] = (
    ("Smith", None), ("Johnson", None), ("Williams", None), ("Brown", None), ("Jones", None), ("Miller", None),
    ("Davis", None), ("Wilson", None), ("Anderson", None), ("Taylor", None), ("Thomas", None), ("Moore", None),
    ("Martin", None), ("Jackson", None), ("Thompson", None), ("White", None), ("Harris", None), ("Clark", None),
    ("Lewis", None), ("Robinson", None), ("Walker", None), ("Young", None), ("Allen", None), ("King", None),
    ("Wright", None), ("Scott", None), ("Green", None), ("Baker", None), ("Adams", None), ("Nelson", None),
    ("Hill", None), ("Campbell", None), ("Mitchell", None), ("Roberts", None), ("Carter", None), ("Phillips", None),
    ("Evans", None), ("Turner", None), ("Parker", None), ("Collins", None), ("Edwards", None), ("Stewart", None),
    ("Morris", None), ("Murphy", None), ("Cook", None), ("Rogers", None), ("Morgan", None), ("Cooper", None),
    ("Peterson", None), ("Reed", None), ("Bailey", None), ("Bell", None), ("Kelly", None), ("Howard", None),
    ("Ward", None), ("Cox", None), ("Richardson", None), ("Wood", None), ("Watson", None), ("Brooks", None),
    ("Bennett", None), ("Gray", None), ("Hughes", None), ("Price", None), ("Sanders", None), ("Myers", None),
    ("Long", None), ("Ross", None), ("Foster", None), ("Powell", None), ("Jenkins", None), ("Perry", None),
    ("Russell", None), ("Sullivan", None), ("Fisher", None), ("Henderson", None), ("Coleman", None),
    ("Patterson", None), ("Jordan", None), ("Reynolds", None), ("Hamilton", None), ("Graham", None),
    ("Wallace", None), ("Woods", None), ("Cole", None), ("West", None), ("Owens", None), ("Marshall", None),
    ("Kang", None), ("Kim", None), ("Lee", None), ("Park", None), ("Choi", None), ("Jung", None), ("Yoon", None),
    ("Wang", None), ("Li", None), ("Zhang", None), ("Liu", None), ("Chen", None), ("Yang", None), ("Huang", None),
    ("Zhao", None), ("Wu", None), ("Zhou", None), ("Xu", None), ("Sun", None), ("Ma", None), ("Zhu", None),
    ("Hu", None), ("Guo", None), ("Lin", None), ("He", None), ("Gao", None), ("Luo", None), ("Tanaka", None),
    ("Suzuki", None), ("Takahashi", None), ("Watanabe", None), ("Ito", None), ("Yamamoto", None),
    ("Nakamura", None), ("Kobayashi", None), ("Kato", None), ("Yoshida", None), ("Yamada", None), ("Sasaki", None),
    ("Matsumoto", None), ("Inoue", None), ("Kimura", None), ("Shimizu", None), ("Patel", None), ("Shah", None),
    ("Singh", None), ("Kumar", None), ("Gupta", None), ("Sharma", None), ("Reddy", None), ("Rao", None),
    ("Iyer", None), ("Nair", None), ("Khan", None), ("Ahmed", None), ("Hassan", None), ("Ali", None),
    ("Rossi", None), ("Russo", None), ("Ferrari", None), ("Esposito", None), ("Bianchi", None), ("Romano", None),
    ("Colombo", None), ("Ricci", None), ("Marino", None), ("Greco", None), ("Bruno", None), ("Gallo", None),
    ("Conti", None), ("De Luca", None), ("Costa", None), ("Silva", None), ("Santos", None), ("Oliveira", None),
    ("Pereira", None), ("Ferreira", None), ("Almeida", None), ("Rodrigues", None), ("Martins", None),
    ("Garcia", None), ("Martinez", None), ("Lopez", None), ("Gonzalez", None), ("Hernandez", None),
    ("Sanchez", None), ("Ramirez", None), ("Torres", None), ("Flores", None), ("Rivera", None),
    ("Schmidt", None), ("Schneider", None), ("Fischer", None), ("Weber", None), ("Meyer", None),
    ("Wagner", None), ("Becker", None), ("Schulz", None), ("Hoffmann", None), ("Koch", None), ("Richter", None),
    ("Klein", None), ("Wolf", None), ("Neumann", None), ("Schwarz", None), ("Zimmermann", None),
    ("Braun", None), ("Hofmann", None), ("Hartmann", None), ("Lange", None), ("Van Dillen", None),
    ("Van der Berg", None), ("De Vries", None), ("Jansen", None), ("Bakker", None), ("Visser", None),
    ("Smit", None), ("Mulder", None), ("Andersson", None), ("Johansson", None), ("Karlsson", None),
    ("Nilsson", None), ("Eriksson", None), ("Larsson", None), ("Olsson", None), ("Persson", None),
    ("Hansen", None), ("Nielsen", None), ("Jensen", None), ("Pedersen", None), ("Novak", None),
    ("Kowalski", None), ("Wozniak", None), ("Ivanov", None), ("Petrov", None), ("Nemes", None), ("Rolfson", None),
    ("O'Brien", None), ("O'Connor", None), ("McCullough", None), ("MacDonald", None), ("Steger-May", None),
    ("Walker-Santiago", None), ("Ambikaipalan", None), ("Onggo", None), ("Nguyen", None), ("Tran", None),
    ("Pham", None), ("Le", None), ("Ozturk", None), ("Yilmaz", None), ("Kaya", None), ("Demir", None),
    ("Cohen", None), ("Levy", None), ("Friedman", None), ("Katz", None), ("Papadopoulos", None),
    # Names with diacritics, each with the LaTeX spelling some reference managers export.
    ("Gómez-Hoyos", "G{\\'o}mez-Hoyos"), ("Müller", 'M{\\"u}ller'), ("Schröder", 'Schr{\\"o}der'),
    ("Sjöberg", 'Sj{\\"o}berg'), ("Åström", '{\\AA}str{\\"o}m'), ("Øvrebø", "{\\O}vreb{\\o}"),
    ("Dvořák", "Dvo{\\v{r}}{\\'a}k"), ("Ibáñez", "Ib{\\'a}{\\~n}ez"), ("Çelik", "{\\c{C}}elik"),
    ("Straßer", "Stra{\\ss}er"), ("Nguyễn", "Nguy{\\~{\\^e}}n"), ("Núñez", "N{\\'u}{\\~n}ez"),
    ("Jiménez", "Jim{\\'e}nez"), ("Fernández", "Fern{\\'a}ndez"), ("Rodríguez", "Rodr{\\'\\i}guez"),
    ("Pérez", "P{\\'e}rez"), ("Gómez", "G{\\'o}mez"), ("Díaz", "D{\\'\\i}az"), ("Hernández", "Hern{\\'a}ndez"),
    ("Jäger", 'J{\\"a}ger'), ("Könnecke", 'K{\\"o}nnecke'), ("Böhm", 'B{\\"o}hm'), ("Krüger", 'Kr{\\"u}ger'),
    ("Šimić", "{\\v{S}}imi{\\'c}"), ("Kovač", "Kova{\\v{c}}"), ("Wójcik", "W{\\'o}jcik"),
    ("Łukaszewski", "{\\L}ukaszewski"), ("Lindström", 'Lindstr{\\"o}m'), ("Håkansson", "H{\\aa}kansson"),
    ("Sørensen", "S{\\o}rensen"), ("François", "Fran{\\c{c}}ois"), ("Lefèvre", "Lef{\\`e}vre"),
    ("Gonçalves", "Gon{\\c{c}}alves"), ("Conceição", "Concei{\\c{c}}{\\~a}o"), ("Öztürk", '{\\"O}zt{\\"u}rk'),
    ("Yıldız", "Y{\\i}ld{\\i}z"), ("Papadopoulou", None), ("Satō", "Sat{\\=o}"), ("Itō", "It{\\=o}"),
)
GIVEN: tuple[tuple[str, str | None], ...] = (
    ("James", None), ("John", None), ("Robert", None), ("Michael", None), ("David", None), ("William", None),
    ("Richard", None), ("Joseph", None), ("Thomas", None), ("Charles", None), ("Daniel", None), ("Matthew", None),
    ("Anthony", None), ("Mark", None), ("Steven", None), ("Paul", None), ("Andrew", None), ("Joshua", None),
    ("Kevin", None), ("Brian", None), ("George", None), ("Edward", None), ("Ronald", None), ("Timothy", None),
    ("Jason", None), ("Jeffrey", None), ("Ryan", None), ("Jacob", None), ("Gary", None), ("Nicholas", None),
    ("Mary", None), ("Patricia", None), ("Jennifer", None), ("Linda", None), ("Elizabeth", None),
    ("Barbara", None), ("Susan", None), ("Jessica", None), ("Sarah", None), ("Karen", None), ("Nancy", None),
    ("Lisa", None), ("Margaret", None), ("Sandra", None), ("Ashley", None), ("Emily", None), ("Donna", None),
    ("Michelle", None), ("Carol", None), ("Amanda", None), ("Melissa", None), ("Deborah", None),
    ("Stephanie", None), ("Rebecca", None), ("Laura", None), ("Helen", None), ("Anna", None), ("Maria", None),
    ("Wei", None), ("Jing", None), ("Hao", None), ("Yan", None), ("Lei", None), ("Xin", None), ("Min-Jun", None),
    ("Ji-Woo", None), ("Seo-Yeon", None), ("Hiroshi", None), ("Takeshi", None), ("Yuki", None), ("Haruka", None),
    ("Kenji", None), ("Akira", None), ("Priya", None), ("Rahul", None), ("Anil", None), ("Sunita", None),
    ("Arjun", None), ("Mohammed", None), ("Fatima", None), ("Omar", None), ("Aisha", None), ("Giulia", None),
    ("Marco", None), ("Luca", None), ("Francesca", None), ("Ana", None), ("Pedro", None), ("Lucas", None),
    ("Mariana", None), ("Hans", None), ("Klaus", None), ("Anke", None), ("Stefan", None), ("Lars", None),
    ("Erik", None), ("Ingrid", None), ("Sven", None), ("Jan", None), ("Pieter", None), ("Sanne", None),
    ("Jean-Pierre", None), ("Marie-Claire", None), ("Ole", None), ("Mette", None), ("Olga", None),
    ("Dmitri", None), ("Ross", None), ("Danielle", None), ("Devin", None), ("Heidi", None),
    ("José", "Jos{\\'e}"), ("Ángel", "{\\'A}ngel"), ("Inés", "In{\\'e}s"), ("Zoë", 'Zo{\\"e}'),
    ("Søren", "S{\\o}ren"), ("Björn", 'Bj{\\"o}rn'), ("Jürgen", 'J{\\"u}rgen'), ("Łucja", "{\\L}ucja"),
    ("Jiří", "Ji{\\v{r}}{\\'\\i}"), ("François", "Fran{\\c{c}}ois"), ("Hélène", "H{\\'e}l{\\`e}ne"),
    ("Agnès", "Agn{\\`e}s"), ("João", "Jo{\\~a}o"), ("Mónica", "M{\\'o}nica"), ("Çağla", "{\\c{C}}a{\\u{g}}la"),
)
ORGANISATIONS = (
    "Caring Medical", "Mass General Brigham", "Hip and Spine Clinic Online", "Orthopaedic Patient Guide",
    "Spine Health Network", "Joint Care Institute", "Physio Knowledge Hub", "Back Pain Foundation",
    "Hip Preservation Center", "Sports Medicine Today", "Pain Relief Journal Online", "Healthy Joints Blog",
)

# ------------------------------------------------------------------------------------------- journals
JOURNAL_PREFIXES = (
    "Journal of", "European Journal of", "American Journal of", "International Journal of", "Archives of",
    "Annals of", "Current Reviews in", "Asian Journal of", "Scandinavian Journal of", "British Journal of",
    "Clinical Reports in", "Journal of Clinical", "Advances in",
)
JOURNAL_SUBJECTS = (
    "Orthopaedic Surgery", "Orthopaedics", "Spine Surgery", "Hip Surgery", "Arthroplasty", "Sports Medicine",
    "Physical Therapy", "Rehabilitation", "Musculoskeletal Research", "Radiology", "Musculoskeletal Imaging",
    "Pain Medicine", "Bone and Joint Research", "Biomechanics", "Spinal Disorders", "Orthopaedic Trauma",
    "Rheumatology", "Anatomy", "Evidence-Based Orthopaedics", "Hip Preservation",
    "Orthopaedics \\& Traumatology", "Bone \\& Joint Surgery", "Sports Medicine \\& Arthroscopy",
    "Physical Medicine \\& Rehabilitation", "Spine \\& Pelvis Research",
)

# What the patient-facing source articles are about.
SOURCE_TOPICS = ("hip-spine syndrome", "hip or back pain", "failed hip replacement", "lumbar fusion and the hip",
                 "hip arthroscopy", "hip MRI", "sciatica or hip pain", "gluteal pain")

# ISO-4-like journal abbreviations; a word not listed is cut after five or six letters.
ABBREVIATIONS = {
    "Journal": "J", "International": "Int", "American": "Am", "European": "Eur", "Archives": "Arch",
    "Annals": "Ann", "Clinical": "Clin", "Orthopaedic": "Orthop", "Orthopaedics": "Orthop", "Surgery": "Surg",
    "Research": "Res", "Medicine": "Med", "Current": "Curr", "Reviews": "Rev", "Scandinavian": "Scand",
    "British": "Br", "Reports": "Rep", "Advances": "Adv", "Rehabilitation": "Rehabil", "Physical": "Phys",
    "Therapy": "Ther", "Musculoskeletal": "Musculoskelet", "Imaging": "Imaging", "Radiology": "Radiol",
    "Traumatology": "Traumatol", "Arthroplasty": "Arthroplasty", "Disorders": "Disord", "Spinal": "Spinal",
}


# ------------------------------------------------------------------------------------------- study designs
@dataclass(frozen=True)
class Design:
    """A study design: its concept slug, kind (review, cohort, cross, diagnostic, lab), how often it is drawn,
    the levels of evidence to draw from, the sample unit and its MeSH publication type (or None)."""

    slug: str
    kind: str
    weight: float
    levels: tuple[int, ...]
    unit: str
    mesh: str | None


DESIGNS: tuple[Design, ...] = (
    Design("narrative-review", "review", 5, (5,), "articles", "D016454"),
    Design("systematic-review", "review", 5, (3, 4), "studies", "D000078182"),
    Design("meta-analysis", "review", 5, (1, 2, 3), "patients", "D017418"),
    Design("cohort-study", "cohort", 15, (2, 3), "patients", "D015331"),
    Design("comparative-cohort", "cohort", 12, (3,), "patients", None),
    Design("retrospective-matched-cohort", "cohort", 10, (3,), "patients", "D012189"),
    Design("register-matched-cohort", "cohort", 5, (3,), "patients", "D015331"),
    Design("prospective-cohort-cross-sectional", "cross", 8, (2, 3), "patients", "D011446"),
    Design("diagnostic-accuracy-study", "diagnostic", 8, (2, 3), "patients", None),
    Design("prospective-diagnostic-accuracy", "diagnostic", 7, (1, 2), "hips", "D011446"),
    Design("retrospective-diagnostic-accuracy", "diagnostic", 8, (3,), "hips", "D012189"),
    Design("cadaveric-biomechanical-study", "lab", 4, (5,), "specimens", None),
    Design("osteological-study", "lab", 2, (5,), "specimens", None),
    Design("laboratory-study", "lab", 3, (5,), "specimens", None),
)

# ------------------------------------------------------------------------------------------- modifiers
# Words put before a shipped concept's label to make a narrower generated concept ('revision total hip ...').
MODIFIERS = {
    "interventions": ("revision", "bilateral", "staged", "minimally invasive", "outpatient", "image-guided",
                      "robot-assisted", "navigated", "cemented", "uncemented", "posterior-approach",
                      "anterior-approach", "early", "delayed", "single-level", "multilevel"),
    "conditions": ("bilateral", "unilateral", "advanced", "early", "symptomatic", "asymptomatic", "recurrent",
                   "chronic", "acute", "post-traumatic", "idiopathic", "degenerative"),
    "outcomes": ("30-day", "90-day", "1-year", "2-year", "5-year", "long-term", "short-term", "self-reported",
                 "radiographic", "clinician-rated"),
    "diagnostic-tests": ("3T", "1.5T", "contrast-enhanced", "weight-bearing", "dynamic", "ultrasound-guided",
                         "fluoroscopic", "repeat", "standardised"),
}

FOLLOW_UPS = ("30 days", "90 days", "6 months", "1 year", "2 years", "24 months", "5 years", "10 years")
ABSTRACT_SECTIONS = ("Abstract (results)", "Abstract (conclusion)", "Abstract (results and conclusion)",
                     "Full text (results)", "Full text, table 2", "Full text, table 3", "Abstract")


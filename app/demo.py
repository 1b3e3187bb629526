"""The demo company: a deterministic French-English firm, from 300 to 50,000 people.

`proxima demo load --size small|medium|large` calls `load`. The same size always yields the same
people (emails, names, managers, tags, follows): everything is drawn from one seeded generator
and dated against a fixed reference instant. Rows go in with bulk Core inserts and ids chosen
here, managers before their reports, so 50,000 people load in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session

from app.models import Base, Follow, Role, Tag, User, UserRole, UserTag
from app.services import activity, auth
from app.services.text import fold, handle_base, normalize_tag
from app.settings import Settings

SIZES = {"small": 300, "medium": 5_000, "large": 50_000}
SEED = 20261101
REFERENCE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DOMAIN = "proxima.example"
DEMO_PASSWORD = "proxima-demo"  # noqa: S105 - the documented password of the demo accounts

DEMO_LOGINS: list[tuple[str, str]] = [
    ("admin@proxima.example", "Nicolas Girard, platform administrator (admin)"),
    ("camille.martin@proxima.example", "Camille Martin, software engineer in Engineering, Lyon (fr)"),
    ("oliver.smith@proxima.example", "Oliver Smith, account executive in Sales, London (en)"),
    ("helene.rousseau@proxima.example", "Hélène Rousseau, HR business partner, Paris (hr)"),
    ("sophie.bernard@proxima.example", "Sophie Bernard, chief executive officer, Paris (executive)"),
    ("julien.moreau@proxima.example", "Julien Moreau, engineering manager in Lyon with a team of 5 or more"),
    ("lea.garcia@proxima.example", "Léa Garcia, internal communications, Paris (community_manager)"),
]

SITES = ("Paris", "Lyon", "London")
_BATCH = 5_000
_MAX_TEAM = 12
_SIGNED_IN = 0.85
_TAGGED = 0.82  # of those who signed in: ~70% of everyone
_WITH_BIO = 0.71  # of those who signed in: ~60% of everyone
_COMMUNITY_MANAGERS = 0.02
_MAX_FOLLOWS = 15

# A job title in French (masculine, feminine) and in English.
Title = tuple[str, str, str]


@dataclass(frozen=True)
class Department:
    """One department: its share of the company, where it works, its job titles and expertise."""

    name: str
    name_fr: str
    share: float
    sites: tuple[tuple[str, int], ...]
    head: Title
    senior: Title
    manager: Title
    staff: tuple[Title, ...]
    tags: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    """The comma-separated items of a block of text, trimmed (keeps long word lists compact)."""
    return tuple(" ".join(item.split()) for item in text.split(",") if item.strip())


DEPARTMENTS = (
    Department(
        name="Engineering",
        name_fr="Ingénierie",
        share=0.28,
        sites=(("Lyon", 55), ("Paris", 25), ("London", 20)),
        head=("Directeur technique", "Directrice technique", "Chief Technology Officer"),
        senior=("Responsable de pôle technique", "Responsable de pôle technique", "Engineering Director"),
        manager=(
            "Responsable d'équipe développement",
            "Responsable d'équipe développement",
            "Engineering Manager",
        ),
        staff=(
            ("Ingénieur logiciel", "Ingénieure logicielle", "Software Engineer"),
            ("Développeur full-stack", "Développeuse full-stack", "Full-Stack Developer"),
            ("Ingénieur DevOps", "Ingénieure DevOps", "DevOps Engineer"),
            ("Data scientist", "Data scientist", "Data Scientist"),
            ("Ingénieur données", "Ingénieure données", "Data Engineer"),
            ("Ingénieur qualité logicielle", "Ingénieure qualité logicielle", "QA Engineer"),
            ("Architecte logiciel", "Architecte logicielle", "Software Architect"),
            ("Ingénieur sécurité", "Ingénieure sécurité", "Security Engineer"),
            ("Designer produit", "Designer produit", "Product Designer"),
            ("Chef de produit", "Cheffe de produit", "Product Manager"),
        ),
        tags=_words(
            """
            python, sql, kubernetes, data science, machine learning, sécurité, devops, java, typescript,
            react, postgresql, cloud, api, architecture logicielle, tests automatisés
            """
        ),
    ),
    Department(
        name="Sales",
        name_fr="Ventes",
        share=0.22,
        sites=(("Paris", 40), ("London", 40), ("Lyon", 20)),
        head=("Directeur commercial", "Directrice commerciale", "Chief Sales Officer"),
        senior=(
            "Directeur régional des ventes",
            "Directrice régionale des ventes",
            "Regional Sales Director",
        ),
        manager=("Responsable des ventes", "Responsable des ventes", "Sales Manager"),
        staff=(
            ("Commercial grands comptes", "Commerciale grands comptes", "Key Account Manager"),
            ("Chargé d'affaires", "Chargée d'affaires", "Account Executive"),
            ("Ingénieur avant-vente", "Ingénieure avant-vente", "Pre-Sales Engineer"),
            ("Business developer", "Business developer", "Business Development Representative"),
            ("Assistant commercial", "Assistante commerciale", "Sales Assistant"),
            ("Responsable de compte", "Responsable de compte", "Account Manager"),
            ("Chargé de clientèle", "Chargée de clientèle", "Customer Success Manager"),
        ),
        tags=_words(
            """
            négociation, crm, salesforce, prospection, grands comptes, avant-vente, export, appels d'offres,
            customer success, closing
            """
        ),
    ),
    Department(
        name="Operations",
        name_fr="Opérations",
        share=0.22,
        sites=(("Lyon", 50), ("Paris", 30), ("London", 20)),
        head=("Directeur des opérations", "Directrice des opérations", "Chief Operating Officer"),
        senior=("Responsable de site", "Responsable de site", "Site Director"),
        manager=("Chef d'équipe logistique", "Cheffe d'équipe logistique", "Operations Team Lead"),
        staff=(
            ("Responsable qualité", "Responsable qualité", "Quality Manager"),
            ("Acheteur", "Acheteuse", "Buyer"),
            ("Planificateur", "Planificatrice", "Planner"),
            ("Technicien logistique", "Technicienne logistique", "Logistics Technician"),
            ("Gestionnaire supply chain", "Gestionnaire supply chain", "Supply Chain Analyst"),
            ("Ingénieur méthodes", "Ingénieure méthodes", "Process Engineer"),
            ("Coordinateur des opérations", "Coordinatrice des opérations", "Operations Coordinator"),
            ("Animateur sécurité", "Animatrice sécurité", "Health & Safety Officer"),
        ),
        tags=_words(
            """
            lean, supply chain, qualité, logistique, achats, iso 9001, sécurité au travail, six sigma,
            planification, amélioration continue
            """
        ),
    ),
    Department(
        name="Finance",
        name_fr="Finance",
        share=0.08,
        sites=(("Paris", 60), ("London", 25), ("Lyon", 15)),
        head=(
            "Directeur administratif et financier",
            "Directrice administrative et financière",
            "Chief Financial Officer",
        ),
        senior=(
            "Responsable du contrôle financier",
            "Responsable du contrôle financier",
            "Financial Controller",
        ),
        manager=("Responsable comptable", "Responsable comptable", "Accounting Manager"),
        staff=(
            ("Contrôleur de gestion", "Contrôleuse de gestion", "Management Accountant"),
            ("Comptable", "Comptable", "Accountant"),
            ("Analyste financier", "Analyste financière", "Financial Analyst"),
            ("Trésorier", "Trésorière", "Treasury Analyst"),
            ("Auditeur interne", "Auditrice interne", "Internal Auditor"),
            ("Juriste fiscal", "Juriste fiscale", "Tax Specialist"),
        ),
        tags=_words(
            """
            sap, contrôle de gestion, excel, ifrs, trésorerie, fiscalité, audit, consolidation, power bi,
            budget
            """
        ),
    ),
    Department(
        name="Human Resources",
        name_fr="Ressources humaines",
        share=0.06,
        sites=(("Paris", 55), ("Lyon", 30), ("London", 15)),
        head=(
            "Directeur des ressources humaines",
            "Directrice des ressources humaines",
            "Chief People Officer",
        ),
        senior=(
            "Responsable du développement RH",
            "Responsable du développement RH",
            "Head of People Development",
        ),
        manager=("Responsable RH", "Responsable RH", "HR Manager"),
        staff=(
            ("Chargé de recrutement", "Chargée de recrutement", "Recruiter"),
            ("Gestionnaire paie", "Gestionnaire paie", "Payroll Specialist"),
            ("Chargé de formation", "Chargée de formation", "Learning & Development Specialist"),
            ("HR business partner", "HR business partner", "HR Business Partner"),
            (
                "Chargé des relations sociales",
                "Chargée des relations sociales",
                "Employee Relations Specialist",
            ),
            ("Assistant RH", "Assistante RH", "HR Assistant"),
        ),
        tags=_words(
            """
            recrutement, formation, paie, qvt, marque employeur, droit social, onboarding, gpec, diversité
            et inclusion, relations sociales
            """
        ),
    ),
    Department(
        name="Marketing",
        name_fr="Marketing",
        share=0.14,
        sites=(("Paris", 55), ("London", 30), ("Lyon", 15)),
        head=("Directeur marketing", "Directrice marketing", "Chief Marketing Officer"),
        senior=("Responsable marketing", "Responsable marketing", "Marketing Director"),
        manager=("Chef de groupe marketing", "Cheffe de groupe marketing", "Marketing Manager"),
        staff=(
            ("Chargé de marketing digital", "Chargée de marketing digital", "Digital Marketing Specialist"),
            ("Chef de produit marketing", "Cheffe de produit marketing", "Product Marketing Manager"),
            ("Chargé de communication", "Chargée de communication", "Communications Officer"),
            ("Graphiste", "Graphiste", "Graphic Designer"),
            ("Rédacteur web", "Rédactrice web", "Content Writer"),
            ("Chargé d'événementiel", "Chargée d'événementiel", "Events Coordinator"),
            ("Analyste marketing", "Analyste marketing", "Marketing Analyst"),
        ),
        tags=_words(
            """
            seo, marque, réseaux sociaux, événementiel, content marketing, growth, communication interne,
            design graphique, relations presse, webinaires
            """
        ),
    ),
)
_BY_NAME = {d.name: d for d in DEPARTMENTS}

CROSS_TAGS = _words(
    """
    covoiturage, mentorat inversé, rse, photographie, anglais, espagnol, course à pied, vélo, cuisine,
    musique, théâtre d'impro, bénévolat, échecs, prise de parole, gestion de projet, agilité, ia générative,
    accessibilité, management, stratégie
    """
)

_FR_WOMEN = _words(
    """
    Camille, Jeanne, Amélie, Chloé, Léa, Manon, Inès, Zoé, Élodie, Hélène, Sophie, Claire, Julie, Margaux,
    Pauline, Céline, Nathalie, Isabelle, Sandrine, Aurélie, Émilie, Océane, Lucie, Anaïs, Clémence,
    Mathilde, Juliette, Agathe, Noémie, Maëlle, Françoise, Brigitte, Valérie, Marion, Laure, Sarah, Yasmine,
    Nadia, Leïla, Aïcha, Sylvie, Charlotte, Alice, Louise, Léonie, Héloïse, Gaëlle, Solène, Bérénice,
    Romane, Capucine, Eugénie, Mélanie, Virginie, Stéphanie, Caroline, Delphine, Audrey, Marine, Justine,
    Laëtitia, Morgane, Estelle, Fanny, Coralie, Adèle, Lou, Jade, Rose, Anne-Sophie, Marie-Claire,
    Géraldine, Christelle, Karine, Séverine, Muriel, Agnès, Béatrice, Odile, Salomé
    """
)
_FR_MEN = _words(
    """
    Julien, Thomas, Nicolas, Antoine, Maxime, Alexandre, Hugo, Lucas, Théo, Mathieu, Guillaume, Pierre,
    Jérôme, François, Sébastien, Benoît, Rémi, Clément, Étienne, Gaël, Loïc, Mickaël, Cédric, Stéphane,
    Frédéric, Olivier, Laurent, Arnaud, Romain, Quentin, Baptiste, Jean-Baptiste, Jean-Luc, Bastien, Yann,
    Karim, Mehdi, Youssef, Samir, Raphaël, Noé, Timothée, Adrien, Valentin, Damien, Cyril, Hervé, Thierry,
    Aurélien, Florian, Kévin, Anthony, Vincent, Christophe, Philippe, Patrick, Emmanuel, Grégoire, Matthieu,
    Jérémy, Benjamin, Paul, Louis, Gabriel, Arthur, Jules, Victor, Martin, Léo, Éric, Bruno, Xavier, Denis,
    Fabien, Yannick, Ludovic, Joël, Gilles, Marc, Tristan
    """
)
_FR_SURNAMES = _words(
    """
    Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent, Lefèvre,
    Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André, Lefebvre, Mercier,
    Dupont, Lambert, Bonnet, François, Martinez, Legrand, Garnier, Faure, Rousseau, Blanc, Guérin, Muller,
    Henry, Roussel, Nicolas, Perrin, Morin, Mathieu, Clément, Gauthier, Dumont, Lopez, Fontaine, Chevalier,
    Robin, Masson, Sanchez, Gérard, Nguyen, Boyer, Denis, Lemaire, Duval, Joly, Gautier, Roger, Roche, Roy,
    Noël, Meyer, Lucas, Meunier, Jean, Pérez, Marchand, Dufour, Blanchard, Marie, Barbier, Brun, Dumas,
    Brunet, Schmitt, Leroux, Colin, Fernandez, Pierre, Renard, Arnaud, Rolland, Caron, Aubert, Giraud,
    Leclerc, Vidal, Bourgeois, Renaud, Lemoine, Picard, Gaillard, Philippe, Leclercq, Lacroix, Fabre,
    Dupuis, Olivier, Rodriguez, Da Silva, Hubert, Louis, Charles, Guillot, Rivière, Le Gall, Guillaume,
    Adam, Rey, Moulin, Gonzalez, Berger, Lecomte, Ménard, Fleury, Deschamps, Carpentier, Julien, Benoît,
    Maillard, Marchal, Aubry, Vasseur, Le Roux, Renault, Jacquet, Collet, Prévost, Poirier, Charpentier,
    Royer, Huet, Baron, Dupuy, Pons, Paul, Laine, Carré, Breton, Rémy, Schneider, Perrot, Guyot, Barré,
    Marty, Cousin, N'Diaye, Benali, Haddad, Lebrun, Béranger, Besnard, Delattre, Chauvin, Lemaître, Tessier,
    Hamon, Bouchet, Germain, Leblanc, Rivet, Bailly, Hervé, Le Goff, Bouvier, Gilbert, Langlois, Ferrand,
    Weber, Klein, Texier, Mallet, Hoarau, Pichon, Lemaire-Roussel, Traoré, Diallo, Mansouri, Belkacem, Tran,
    Pham, Cohen, Lévy, Antoine, Étienne, Barthélemy, Desjardins, Dubreuil, Morvan, Kerbrat, Ollivier,
    Séguin, Boucher, Valette, Courtois
    """
)
_EN_WOMEN = _words(
    """
    Olivia, Amelia, Isla, Ava, Emily, Sophia, Grace, Lily, Freya, Ella, Mia, Poppy, Evie, Isabella,
    Charlotte, Jessica, Chloe, Ruby, Sophie, Hannah, Holly, Lucy, Megan, Eleanor, Emma, Harriet, Rosie,
    Imogen, Niamh, Siobhan, Priya, Aisha, Zara, Anjali, Fatima, Sarah, Rebecca, Rachel, Laura, Kate,
    Victoria, Alice, Abigail, Caitlin, Bethany, Georgia, Katie, Natalie, Helen, Joanna, Fiona, Claire,
    Gemma, Amy, Zoe, Leah, Maya, Esther, Naomi, Ruth
    """
)
_EN_MEN = _words(
    """
    Oliver, George, Harry, Jack, Jacob, Noah, Charlie, William, James, Henry, Leo, Oscar, Archie, Alfie,
    Freddie, Theo, Arthur, Samuel, Daniel, Joseph, Edward, Benjamin, Lewis, Ryan, Matthew, Adam, Luke,
    Callum, Jamie, Rhys, Owen, Liam, Aiden, Ethan, Nathan, Connor, Kieran, Rajesh, Arjun, Ravi, Tariq, Omar,
    Kwame, Tom, David, Mark, Paul, Richard, Simon, Andrew, Stephen, Peter, Michael, Christopher, Gareth,
    Alistair, Hamish, Rory, Finlay, Declan
    """
)
_EN_SURNAMES = _words(
    """
    Smith, Jones, Williams, Taylor, Brown, Davies, Evans, Wilson, Thomas, Johnson, Roberts, Robinson,
    Thompson, Wright, Walker, White, Edwards, Hughes, Green, Hall, Lewis, Harris, Clarke, Patel, Jackson,
    Wood, Turner, Martin, Cooper, Hill, Ward, Morris, Moore, Clark, Lee, King, Baker, Harrison, Morgan,
    Allen, James, Scott, Phillips, Watson, Davis, Parker, Price, Bennett, Young, Griffiths, Mitchell, Kelly,
    Cook, Carter, Richardson, Bailey, Collins, Bell, Shaw, Murphy, Miller, Cox, Richards, Khan, Marshall,
    Anderson, Simpson, Ellis, Adams, Singh, Begum, Wilkinson, Foster, Chapman, Powell, Webb, Rogers, Gray,
    Mason, Ali, Hunt, Hussain, Campbell, Matthews, Owen, Palmer, Holmes, Mills, Barnes, Knight, Lloyd,
    Butler, Russell, Barker, Fisher, Stevens, Jenkins, Murray, Dixon, Harvey, Graham, Pearson, Ahmed,
    Fletcher, Walsh, Kaur, Gibson, Howard, Andrews, O'Brien, O'Connor, MacDonald, Stewart, Reid, Fraser,
    Quinn, Byrne, Doyle, Okafor, Mensah, Chen, Wong, Kowalski, Nowak
    """
)

_BIO_FR = (
    "{title} à {site}. Je peux vous aider sur {t1} et {t2}.",
    "Chez Proxima depuis {year}, côté {dept}. Parlez-moi {de_t1}.",
    "{title}. En dehors du travail : {hobby}.",
    "Je travaille sur {t1} avec l'équipe {dept}. Mon temps libre : {hobby}.",
    "Passionnée {de_t1}, toujours partante pour un café à {site}.|"
    "Passionné {de_t1}, toujours partant pour un café à {site}.",
)
_BIO_EN = (
    "{title} in {site}. Happy to help with {t1} and {t2}.",
    "At Proxima since {year}, in {dept}. Ask me about {t1}.",
    "{title}. Outside work: {hobby}.",
    "Working on {t1} with the {dept} team. Free time: {hobby}.",
    "Into {t1}; always up for a coffee in {site}.",
)
_HOBBIES_FR = _words(
    """
    la randonnée, le vélo, la photo, le jardinage, la cuisine, le piano, le trail, la lecture, l'escalade,
    le théâtre
    """
)
_HOBBIES_EN = _words(
    """
    hiking, cycling, photography, gardening, cooking, the piano, trail running, reading, climbing, theatre
    """
)
_LANGUAGES_FR = _words("""
    fr en, fr en, fr en, fr en, fr en, fr en, fr, fr, fr en es, fr en de, fr en it, fr en ar, fr en pt
""")
_LANGUAGES_EN = _words("""
    en, en, en, en, en, en fr, en fr, en fr, en es, en de, en hi, en pl
""")
_TAG_COUNTS = (1, 2, 2, 3, 3, 3, 4, 4, 5, 6)


@dataclass(frozen=True)
class _Fixed:
    """One of the documented demo accounts, placed at a chosen spot of the organisation."""

    email: str
    first: str
    last: str
    female: bool
    site: str
    locale: str
    title: str
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    bio: str
    languages: tuple[str, ...]


_CEO = _Fixed(
    email="sophie.bernard@proxima.example",
    first="Sophie",
    last="Bernard",
    female=True,
    site="Paris",
    locale="fr",
    title="Directrice générale",
    roles=(Role.executive.value,),
    tags=("stratégie", "rse", "prise de parole"),
    bio=(
        "Directrice générale de Proxima. Mon bureau à Paris est ouvert le jeudi matin : venez avec vos idées."
    ),
    languages=("fr", "en", "es"),
)
_MANAGER = _Fixed(
    email="julien.moreau@proxima.example",
    first="Julien",
    last="Moreau",
    female=False,
    site="Lyon",
    locale="fr",
    title="Responsable d'équipe développement",
    roles=(),
    tags=("python", "devops", "management", "mentorat inversé"),
    bio="J'anime une équipe de développeurs à Lyon. Fan de revues de code bienveillantes et de vélotaf.",
    languages=("fr", "en"),
)
_ENGINEER = _Fixed(
    email="camille.martin@proxima.example",
    first="Camille",
    last="Martin",
    female=True,
    site="Lyon",
    locale="fr",
    title="Ingénieure logicielle",
    roles=(),
    tags=("python", "kubernetes", "data science", "covoiturage"),
    bio=(
        "Ingénieure logicielle à Lyon : Python, Kubernetes et un peu de data. "
        "Je propose du covoiturage depuis Villeurbanne."
    ),
    languages=("fr", "en"),
)
_SELLER = _Fixed(
    email="oliver.smith@proxima.example",
    first="Oliver",
    last="Smith",
    female=False,
    site="London",
    locale="en",
    title="Account Executive",
    roles=(),
    tags=("négociation", "salesforce", "grands comptes", "photographie"),
    bio=(
        "Account executive in London, looking after our UK retail customers. "
        "Learning French, one café at a time."
    ),
    languages=("en", "fr"),
)
_HR = _Fixed(
    email="helene.rousseau@proxima.example",
    first="Hélène",
    last="Rousseau",
    female=True,
    site="Paris",
    locale="fr",
    title="HR business partner",
    roles=(Role.hr.value,),
    tags=("recrutement", "qvt", "marque employeur", "mentorat inversé"),
    bio="HR business partner à Paris pour les équipes Ventes et Marketing. Parlons carrières et mobilité.",
    languages=("fr", "en"),
)
_COMMUNITY = _Fixed(
    email="lea.garcia@proxima.example",
    first="Léa",
    last="Garcia",
    female=True,
    site="Paris",
    locale="fr",
    title="Chargée de communication interne",
    roles=(Role.community_manager.value,),
    tags=("communication interne", "réseaux sociaux", "événementiel", "photographie"),
    bio="J'anime les communautés de Proxima : proposez un sujet, je vous aide à lancer la discussion.",
    languages=("fr", "en", "es"),
)
_ADMIN = _Fixed(
    email="admin@proxima.example",
    first="Nicolas",
    last="Girard",
    female=False,
    site="Paris",
    locale="fr",
    title="Administrateur de la plateforme",
    roles=(Role.admin.value,),
    tags=("sécurité", "devops", "kubernetes"),
    bio="J'administre Proxima : comptes, annuaire et sécurité. Un souci de connexion ? Écrivez-moi.",
    languages=("fr", "en"),
)
_FIXED = (_CEO, _MANAGER, _ENGINEER, _SELLER, _HR, _COMMUNITY, _ADMIN)
_FIXED_NAMES = frozenset((f.first, f.last) for f in _FIXED)


@dataclass
class _Slot:
    """A position in the organisation chart, filled with a person later."""

    id: int
    department: Department | None
    site: str
    level: str  # ceo, head, senior, manager or staff
    manager: int | None
    reports: list[int] = field(default_factory=list)
    fixed: _Fixed | None = None


@dataclass
class Company:
    """The rows of a demo company, ready for bulk insertion (ids assigned, managers first)."""

    users: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    user_tags: list[dict[str, Any]]
    follows: list[dict[str, Any]]


def build_company(size: str, *, password_hash: str | None = None) -> Company:
    """Generate the people of a demo company of this size; the same size always gives the same rows."""
    rng = Random(SEED)
    slots = _organisation(rng, SIZES[size])
    _place_fixed(slots)
    return _people(rng, slots, password_hash)


def load(db: Session, *, settings: Settings, size: str) -> str:
    """Load the demo company into an empty database and say what was loaded (the caller commits)."""
    started = time.perf_counter()
    password_hash = auth.password_hasher(settings).hash(DEMO_PASSWORD)
    company = build_company(size, password_hash=password_hash)
    for name, rows in (
        (User.__tablename__, company.users),
        (UserRole.__tablename__, company.roles),
        (Tag.__tablename__, company.tags),
        (UserTag.__tablename__, company.user_tags),
        (Follow.__tablename__, company.follows),
    ):
        _bulk_insert(db, Base.metadata.tables[name], rows)
    if db.get_bind().dialect.name == "postgresql":
        # ids were chosen here: move the sequences past them so later inserts do not collide
        db.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))"))
        db.execute(text("SELECT setval(pg_get_serial_sequence('tags', 'id'), (SELECT MAX(id) FROM tags))"))
    activity.audit(db, actor_id=None, action="demo_loaded", size=size)
    db.flush()
    elapsed = time.perf_counter() - started
    return (
        f"loaded the {size} demo company: {len(company.users):,} people, {len(DEPARTMENTS)} departments, "
        f"{len(SITES)} sites, {len(company.follows):,} follows, {len(company.tags):,} tags "
        f"in {elapsed:.1f} s; sign in as {_ENGINEER.email} / {DEMO_PASSWORD}"
    )


def _bulk_insert(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _BATCH):
        db.execute(insert(table), rows[start : start + _BATCH])


# -- the organisation chart --------------------------------------------------------------------------------


def _organisation(rng: Random, people: int) -> list[_Slot]:
    """The CEO, one head per department, then nested teams down to line managers and their staff."""
    slots = [_Slot(id=1, department=None, site="Paris", level="ceo", manager=None, fixed=_CEO)]
    for department, headcount in zip(DEPARTMENTS, _split_headcount(people - 1), strict=True):
        head = _add(slots, slots[0], department, department.sites[0][0], "head")
        _staff(rng, slots, head, headcount - 1)
    return slots


def _split_headcount(total: int) -> list[int]:
    """Departments' headcounts by share, rounded so that they add up to `total`."""
    exact = [d.share * total for d in DEPARTMENTS]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _add(slots: list[_Slot], boss: _Slot, department: Department, site: str, level: str) -> _Slot:
    slot = _Slot(id=len(slots) + 1, department=department, site=site, level=level, manager=boss.id)
    slots.append(slot)
    boss.reports.append(slot.id)
    return slot


def _site(rng: Random, department: Department) -> str:
    names = [name for name, _ in department.sites]
    return rng.choices(names, weights=[w for _, w in department.sites])[0]


def _staff(rng: Random, slots: list[_Slot], boss: _Slot, count: int) -> None:
    """Place `count` people under `boss`: a team of at most 12, or several sub-managers with their own."""
    department = boss.department
    assert department is not None
    if count <= _MAX_TEAM:
        for _ in range(count):
            site = boss.site if rng.random() < 0.85 else _site(rng, department)
            _add(slots, boss, department, site, "staff")
        return
    groups = min(_MAX_TEAM, max(2, count // 10))
    for budget in _split_evenly(rng, count - groups, groups):
        site = boss.site if rng.random() < 0.5 else _site(rng, department)
        manager = _add(slots, boss, department, site, "senior" if budget > _MAX_TEAM else "manager")
        _staff(rng, slots, manager, budget)


def _split_evenly(rng: Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` roughly equal shares of at least 4."""
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % parts] += 1
    for i in range(parts):
        while shares[i] < 4:
            largest = max(range(parts), key=shares.__getitem__)
            shares[largest] -= 1
            shares[i] += 1
    return shares


def _place_fixed(slots: list[_Slot]) -> None:
    """Seat the documented demo accounts: always the same spots, whatever the size."""
    by_id = {s.id: s for s in slots}

    def first(department: str, level: str, site: str, extra: Callable[[_Slot], bool] | None = None) -> _Slot:
        candidates = [
            s
            for s in slots
            if s.fixed is None
            and s.level == level
            and s.department is _BY_NAME[department]
            and (extra is None or extra(s))
        ]
        return next((s for s in candidates if s.site == site), candidates[0])

    def is_team(s: _Slot) -> bool:
        return len(s.reports) >= 5 and all(by_id[r].level == "staff" for r in s.reports)

    manager = first("Engineering", "manager", "Lyon", is_team)
    _seat(manager, _MANAGER)
    _seat(by_id[manager.reports[0]], _ENGINEER)
    _seat(first("Sales", "staff", "London"), _SELLER)
    _seat(first("Human Resources", "staff", "Paris"), _HR)
    _seat(first("Marketing", "staff", "Paris"), _COMMUNITY)
    _seat(first("Engineering", "staff", "Paris", lambda s: s.manager != manager.id), _ADMIN)


def _seat(slot: _Slot, person: _Fixed) -> None:
    slot.fixed = person
    slot.site = person.site


# -- the people --------------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return fold(name).replace("'", "").replace(" ", "-")


class _Names:
    """Unique email local parts and handles; the demo accounts' own are reserved from the start."""

    def __init__(self) -> None:
        self.locals: set[str] = {f.email.split("@")[0] for f in _FIXED}
        self.handles: set[str] = {handle_base(f.email) for f in _FIXED}

    def email(self, first: str, last: str) -> str:
        base = f"{_slug(first)}.{_slug(last)}"
        local, n = base, 1
        while local in self.locals:
            n += 1
            local = f"{base}{n}"
        self.locals.add(local)
        return f"{local}@{DOMAIN}"

    def handle(self, email: str) -> str:
        base = handle_base(email)
        handle, n = base, 1
        while handle in self.handles:
            n += 1
            handle = f"{base}{n}"
        self.handles.add(handle)
        return handle


class _Tags:
    """Tag rows in order of first use, with their ids."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.rows: list[dict[str, Any]] = []

    def id(self, raw: str) -> int:
        name = normalize_tag(raw)
        if name not in self.ids:
            self.ids[name] = len(self.rows) + 1
            self.rows.append({"id": self.ids[name], "name": name, "key": fold(name), "created_at": REFERENCE})
        return self.ids[name]


def _pick_name(rng: Random, site: str) -> tuple[str, str, bool, bool]:
    """First name, last name, female?, French?: mostly French names in France, English in London."""
    french = rng.random() < (0.25 if site == "London" else 0.88)
    while True:
        female = rng.random() < 0.5
        if french:
            first = rng.choice(_FR_WOMEN if female else _FR_MEN)
            last = rng.choice(_FR_SURNAMES)
        else:
            first = rng.choice(_EN_WOMEN if female else _EN_MEN)
            last = rng.choice(_EN_SURNAMES)
        if (first, last) not in _FIXED_NAMES:
            return first, last, female, french


def _title(slot: _Slot, rng: Random, locale: str, female: bool) -> str:
    department = slot.department
    assert department is not None
    title = {"head": department.head, "senior": department.senior, "manager": department.manager}.get(
        slot.level
    )
    if title is None:
        title = rng.choice(department.staff)
    return title[2] if locale == "en" else title[1 if female else 0]


def _of(word: str) -> str:
    """French "de" before a word, elided before a vowel: "de python", "d'audit"."""
    return f"d'{word}" if fold(word[:1]) in "aeiouyh" else f"de {word}"


def _bio(rng: Random, slot: _Slot, title: str, locale: str, female: bool, tags: list[str], year: int) -> str:
    department = slot.department
    assert department is not None
    topics = [*tags, *(t for t in rng.sample(department.tags, 2) if t not in tags)]
    english = locale == "en"
    template = rng.choice(_BIO_EN if english else _BIO_FR)
    if "|" in template:
        template = template.split("|")[0 if female else 1]
    return template.format(
        title=title,
        site=slot.site,
        dept=department.name if english else department.name_fr,
        t1=topics[0],
        de_t1=_of(topics[0]),
        t2=topics[1],
        year=year,
        hobby=rng.choice(_HOBBIES_EN if english else _HOBBIES_FR),
    )


def _seconds(rng: Random, span: timedelta) -> timedelta:
    return timedelta(seconds=rng.randrange(max(1, int(span.total_seconds()))))


def _people(rng: Random, slots: list[_Slot], password_hash: str | None) -> Company:
    names = _Names()
    tags = _Tags()
    users: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    user_tags: list[dict[str, Any]] = []
    windows: dict[int, tuple[datetime, datetime]] = {}
    created: list[datetime] = [REFERENCE]  # index 0 unused: ids start at 1
    for slot in slots:
        fixed = slot.fixed
        created_at = REFERENCE - timedelta(days=730) + _seconds(rng, timedelta(days=728))
        signed_in = fixed is not None or rng.random() < _SIGNED_IN
        first_seen = last_seen = None
        if signed_in:
            first_seen = max(REFERENCE - _seconds(rng, timedelta(days=60)), created_at + timedelta(hours=1))
            last_seen = first_seen + _seconds(rng, REFERENCE - first_seen)
            windows[slot.id] = (first_seen, last_seen)
        if fixed is not None:
            email, first, last, female = fixed.email, fixed.first, fixed.last, fixed.female
            locale, title, bio, carried = fixed.locale, fixed.title, fixed.bio, list(fixed.tags)
            languages = list(fixed.languages)
            extra_roles = list(fixed.roles)
        else:
            first, last, female, french = _pick_name(rng, slot.site)
            email = names.email(first, last)
            # London works in English; in France, French speakers and some of the others choose French
            locale = "en" if slot.site == "London" else ("fr" if french or rng.random() < 0.4 else "en")
            languages = rng.choice(_LANGUAGES_EN if locale == "en" else _LANGUAGES_FR).split()
            title = _title(slot, rng, locale, female)
            carried = []
            if signed_in and rng.random() < _TAGGED:
                carried = _pick_tags(rng, slot)
            bio = ""
            if signed_in and rng.random() < _WITH_BIO:
                bio = _bio(rng, slot, title, locale, female, carried, created_at.year)
            extra_roles = _roles(rng, slot)
        display_name = f"{first} {last}"
        users.append(
            {
                "id": slot.id,
                "email": email,
                "handle": names.handle(email),
                "display_name": display_name,
                "search_name": fold(display_name),
                "password_hash": password_hash,
                "department": slot.department.name if slot.department else None,
                "site": slot.site,
                "job_title": title,
                "bio": bio,
                "languages": languages,
                "locale": locale,
                "manager_id": slot.manager,
                "photo_id": None,
                "is_active": True,
                "created_at": created_at,
                "updated_at": last_seen or created_at,
                "first_seen_at": first_seen,
                "last_seen_at": last_seen,
            }
        )
        created.append(created_at)
        roles.extend({"user_id": slot.id, "role": r} for r in [Role.employee.value, *extra_roles])
        user_tags.extend(
            {"user_id": slot.id, "tag_id": tags.id(name), "position": position}
            for position, name in enumerate(carried)
        )
    follows = _follows(rng, slots, windows, created)
    return Company(users=users, roles=roles, tags=tags.rows, user_tags=user_tags, follows=follows)


def _pick_tags(rng: Random, slot: _Slot) -> list[str]:
    department = slot.department
    assert department is not None
    count = rng.choice(_TAG_COUNTS)
    if count > 1 and rng.random() < 0.35:
        return [*rng.sample(department.tags, count - 1), rng.choice(CROSS_TAGS)]
    return rng.sample(department.tags, count)


def _roles(rng: Random, slot: _Slot) -> list[str]:
    department = slot.department
    in_hr = department is not None and department.name == "Human Resources"
    if slot.level == "head":
        return [Role.executive.value, Role.hr.value] if in_hr else [Role.executive.value]
    if in_hr:
        return [Role.hr.value]
    if slot.level == "staff" and rng.random() < _COMMUNITY_MANAGERS:
        return [Role.community_manager.value]
    return []


# -- who follows whom --------------------------------------------------------------------------------------


def _follows(
    rng: Random, slots: list[_Slot], windows: dict[int, tuple[datetime, datetime]], created: list[datetime]
) -> list[dict[str, Any]]:
    """Each person who signed in follows up to 15 colleagues, mostly their team, department and site."""
    by_department: dict[str, list[int]] = {}
    by_site: dict[str, list[int]] = {}
    heads: dict[str, int] = {}
    for slot in slots:
        by_site.setdefault(slot.site, []).append(slot.id)
        if slot.department is not None:
            by_department.setdefault(slot.department.name, []).append(slot.id)
            if slot.level == "head":
                heads[slot.department.name] = slot.id
    ceo = slots[0]
    rows: list[dict[str, Any]] = []
    for slot in slots:
        window = windows.get(slot.id)
        if window is None:
            continue  # never signed in: never followed anyone
        wanted = rng.randint(0, _MAX_FOLLOWS)
        if slot.fixed is not None:
            wanted = max(wanted, 6)
        team = list(slot.reports)
        if slot.manager is not None:
            team += [slot.manager, *slots[slot.manager - 1].reports]
        department = by_department[slot.department.name] if slot.department else ceo.reports
        leaders = [ceo.id, heads[slot.department.name]] if slot.department else ceo.reports
        chosen: list[int] = []
        if slot.fixed is not None and slot.manager is not None:
            chosen.append(slot.manager)
        seen = {slot.id, *chosen}
        for _ in range(wanted * 4):
            if len(chosen) >= wanted:
                break
            draw = rng.random()
            if draw < 0.35:
                other = rng.choice(team)
            elif draw < 0.65:
                other = rng.choice(department)
            elif draw < 0.8:
                other = rng.choice(by_site[slot.site])
            elif draw < 0.88:
                other = rng.choice(leaders)
            else:
                other = rng.randint(1, len(slots))
            if other not in seen:
                seen.add(other)
                chosen.append(other)
        first_seen, last_seen = window
        for other in chosen:
            at = max(first_seen + _seconds(rng, last_seen - first_seen), created[other] + timedelta(hours=1))
            rows.append({"follower_id": slot.id, "followee_id": other, "created_at": min(at, REFERENCE)})
    return rows

"""The demo company: a deterministic French-English firm, from 300 to 50,000 people, and its life.

`proxima demo load --size small|medium|large` calls `load`. The same size always yields the same
people (emails, names, managers, tags, follows) and the same content: communities with their members,
managers, charters, pins and join requests; posts of every kind over the last 18 months (3,000,
200,000 or 1,000,000 of them) with their comments, answers, reactions, hashtags, mentions, events
and RSVPs, polls and votes. Everything is drawn from seeded generators and dated against a fixed
reference instant. Rows go in with bulk inserts and ids chosen here, managers before their reports,
parents before children; the medium company loads in seconds, the large one in a couple of minutes.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from math import log
from random import Random
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, Table, bindparam, insert, text, update
from sqlalchemy.orm import Session

from app import demo_notifications
from app.models import Base, Follow, Role, Tag, User, UserRole, UserTag
from app.services import activity, auth, markdown
from app.services.text import fold, handle_base, normalize_tag
from app.settings import Settings

SIZES = {"small": 300, "medium": 5_000, "large": 50_000}
SEED = 20261101
BASE_REFERENCE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
# The demo's "now". load() moves it forward by whole weeks to the week it is loaded in, so that a
# fresh demo feels alive (recent posts, upcoming events, this week's trends) while its content stays
# the same: every timestamp shifts together and weekdays do not change.
REFERENCE = BASE_REFERENCE
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


def anchor(today: date | None = None) -> datetime:
    """Date the demo from the week of `today` (default: the current UTC date); returns its "now"."""
    global REFERENCE, _EPOCH
    today = today or datetime.now(UTC).date()
    weeks = max(0, (today - BASE_REFERENCE.date()).days // 7)
    REFERENCE = BASE_REFERENCE + timedelta(weeks=weeks)
    _EPOCH = (REFERENCE - timedelta(days=800)).replace(hour=0, minute=0, second=0, microsecond=0)
    return REFERENCE


def load(db: Session, *, settings: Settings, size: str, today: date | None = None) -> str:
    """Load the demo company into an empty database and say what was loaded (the caller commits).

    The people first, then their communities, posts, comments, reactions, events and polls, written
    straight to the driver in batches. On SQLite the full-text triggers are set aside during the load
    and the index is rebuilt once at the end; on PostgreSQL the rows are copied (COPY) and the id
    sequences moved past the ids chosen here."""
    with _large_page_cache(db):
        return _load(db, settings=settings, size=size, today=today)


def _load(db: Session, *, settings: Settings, size: str, today: date | None) -> str:
    started = time.perf_counter()
    anchor(today)
    password_hash = auth.password_hasher(settings).hash(DEMO_PASSWORD)
    company = build_company(size, password_hash=password_hash)
    postgresql = db.get_bind().dialect.name == "postgresql"
    life = _Life(company, size, postgresql=postgresql)  # moves the people's first sign-in back in time
    life.build_communities()
    for name, rows in (
        (User.__tablename__, company.users),
        (UserRole.__tablename__, company.roles),
        (Tag.__tablename__, company.tags),
        (UserTag.__tablename__, company.user_tags),
        (Follow.__tablename__, company.follows),
    ):
        _bulk_insert(db, Base.metadata.tables[name], rows)
    written = [Base.metadata.tables[name] for name in COLUMNS]
    with _indexes_built_after(db, *written), _bulk_load(db) as sink:
        life.write(sink)
    users = Base.metadata.tables[User.__tablename__]
    seen = [{"uid": uid, "seen": moment} for uid, moment in life.last_seen()]
    for start in range(0, len(seen), _BATCH):
        db.execute(
            update(users)
            .where(users.c.id == bindparam("uid"))
            .values(last_seen_at=bindparam("seen"), updated_at=bindparam("seen")),
            seen[start : start + _BATCH],
        )
    if postgresql:
        # ids were chosen here: move the sequences past them so later inserts do not collide
        for table in ("users", "tags", "communities", "posts", "comments", "mentions", "poll_options"):
            db.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1), (SELECT MAX(id) FROM {table}) IS NOT NULL)"
                )
            )
    _activity_from_content(db)
    _feedback(db, settings)
    demo_notifications.load(db, now=REFERENCE)
    life.counts["posts"] += _ambassadors(db)  # its testimonial is a post too
    _mentoring_and_campaigns(db)
    life.counts["posts"] += _delegation(db)  # the draft waiting for Sophie is a post too
    activity.audit(db, actor_id=None, action="demo_loaded", size=size)
    db.flush()
    elapsed = time.perf_counter() - started
    counts = life.counts
    tags = len(company.tags) + life.tags.created
    return (
        f"loaded the {size} demo company: {len(company.users):,} people, {len(DEPARTMENTS)} departments, "
        f"{len(SITES)} sites, {len(company.follows):,} follows, {tags:,} tags, "
        f"{counts['communities']:,} communities, {counts['posts']:,} posts, {counts['comments']:,} comments, "
        f"{counts['reactions']:,} reactions in {elapsed:.1f} s; "
        f"sign in as {_ENGINEER.email} / {DEMO_PASSWORD}"
    )


def _feedback(db: Session, settings: Settings) -> None:
    """A few feedback items for HR (named and anonymous), replies, a note, and the "you said, we did"
    board with support, comments and two initiatives; deterministic, a few dozen rows."""
    from sqlalchemy import select

    from app.models import (
        FeedbackBoardEntry,
        FeedbackCategory,
        FeedbackComment,
        FeedbackItem,
        FeedbackNote,
        FeedbackReply,
        FeedbackVolunteer,
        FeedbackVote,
    )
    from app.services import feedback

    rng = Random(f"{SEED}-feedback")
    feedback.ensure_default_categories(db)
    categories = {c.key: c.id for c in db.scalars(select(FeedbackCategory))}
    fixed = ("helene.rousseau", "camille.martin", "oliver.smith", "julien.moreau")
    emails = [f"{name}@{DOMAIN}" for name in fixed]
    found = {u.email: u for u in db.scalars(select(User).where(User.email.in_(emails)))}
    hr, camille, oliver, julien = (found[email] for email in emails)
    everyone = list(db.scalars(select(User.id).where(User.is_active.is_(True)).order_by(User.id)))
    lyon_engineers = list(
        db.scalars(
            select(User)
            .where(User.site == "Lyon", User.id.not_in([camille.id, julien.id]))
            .order_by(User.id)
            .limit(20)
        )
    )
    today = REFERENCE.date()
    # (author, anonymous, category, days ago, status, text, HR reply, author's reply, decline reason)
    rows: list[tuple[User, bool, str, int, str, str, str, str, str]] = [
        (
            camille,
            False,
            "tools",
            12,
            "answered",
            (
                "Le VPN coupe toutes les vingt minutes depuis la dernière mise "
                "à jour. Impossible de tenir une visio client."
            ),
            (
                "Merci Camille. L'équipe IT a identifié le problème : un "
                "correctif est déployé mardi sur tous les postes."
            ),
            "",
            "",
        ),
        (
            camille,
            True,
            "work_conditions",
            9,
            "in_review",
            (
                "L'open space du 3e étage est trop bruyant pour se concentrer. Deux "
                "ou trois cabines téléphoniques aideraient beaucoup."
            ),
            "",
            "",
            "",
        ),
        (
            lyon_engineers[3],
            True,
            "management",
            40,
            "answered",
            (
                "Les entretiens annuels sont expédiés en dix minutes, sans préparation. "
                "On aimerait un vrai temps d'échange avec nos managers."
            ),
            (
                "Merci pour ce retour franc. Une formation des managers à "
                "l'entretien annuel est programmée ce trimestre."
            ),
            "Merci, c'est exactement ce qu'il fallait.",
            "",
        ),
        (
            oliver,
            False,
            "training",
            55,
            "done",
            (
                "Could we get an English version of the compliance training? Half of "
                "the London team struggles with the French-only modules."
            ),
            "Thanks Oliver, English subtitles are now available on every compliance module.",
            "",
            "",
        ),
        (
            lyon_engineers[5],
            True,
            "csr_initiative",
            30,
            "done",
            (
                "Beaucoup d'entre nous viennent de Villeurbanne en voiture, seuls. Un "
                "covoiturage organisé ferait du bien à la planète et au budget."
            ),
            "Bonne idée : nous lançons un groupe de covoiturage et réservons des places de parking.",
            "",
            "",
        ),
        (
            julien,
            False,
            "idea",
            18,
            "in_review",
            "Collectons nos vieux ordinateurs portables pour les donner aux écoles du quartier.",
            "",
            "",
            "",
        ),
        (
            lyon_engineers[8],
            True,
            "other",
            22,
            "declined",
            "La cantine ferme à 13h30, trop tôt pour ceux qui ont des réunions jusqu'à 13h.",
            "",
            "",
            (
                "Le prestataire ne peut pas allonger le service cette année ; "
                "nous renégocions le contrat en septembre."
            ),
        ),
        (
            lyon_engineers[11],
            True,
            "work_conditions",
            2,
            "received",
            "Le chauffage de la salle Rhône ne marche plus depuis lundi.",
            "",
            "",
            "",
        ),
        (
            lyon_engineers[13],
            True,
            "work_conditions",
            1,
            "received",
            "Salle Rhône glaciale, encore ce matin.",
            "",
            "",
            "",
        ),
    ]
    items: list[FeedbackItem] = []
    for author, anonymous, category, days, status, body, hr_reply, author_reply, reason in rows:
        on = today - timedelta(days=days)
        department, site = (
            feedback.anonymous_groups(db, settings=settings, author=author) if anonymous else (None, None)
        )
        item = FeedbackItem(
            id=1_000_000 + rng.randrange(2_000_000_000),
            category_id=categories[category],
            body=body,
            anonymous=anonymous,
            author_id=None if anonymous else author.id,
            author_tag=feedback.author_tag(settings, author.id) if anonymous else None,
            submission_digest=feedback.submission_digest(settings, author.id, on, body),
            department=department,
            site=site,
            status=status,
            decline_reason=reason or None,
            assignee_id=hr.id if status != "received" else None,
            created_on=on,
        )
        db.add(item)
        db.flush()
        items.append(item)
        if hr_reply:
            db.add(
                FeedbackReply(
                    item_id=item.id,
                    from_hr=True,
                    hr_author_id=hr.id,
                    body=hr_reply,
                    created_on=on + timedelta(days=2),
                )
            )
        if author_reply:
            db.add(
                FeedbackReply(
                    item_id=item.id, from_hr=False, body=author_reply, created_on=on + timedelta(days=3)
                )
            )
    items[-1].merged_into_id = items[-2].id
    db.add(
        FeedbackNote(
            item_id=items[1].id,
            author_id=hr.id,
            body="Voir avec les services généraux : deux cabines au 3e ?",
            created_on=today - timedelta(days=8),
        )
    )
    board = [
        (
            items[2],
            "Des entretiens annuels mieux préparés",
            "Des salariés trouvent les entretiens annuels trop rapides et peu préparés.",
            (
                "Les managers suivent une formation à l'entretien ce trimestre, et "
                "l'entretien dure désormais au moins 45 minutes."
            ),
            False,
            23,
            0,
        ),
        (
            items[3],
            "Compliance training in English",
            "The compliance modules were in French only.",
            "English subtitles are now available on every compliance module.",
            False,
            9,
            0,
        ),
        (
            items[4],
            "Covoiturage Villeurbanne – Part-Dieu",
            "Beaucoup d'entre nous viennent seuls en voiture depuis l'est lyonnais.",
            (
                "Un groupe de covoiturage démarre ; des places de parking "
                "sont réservées aux covoitureurs au niveau -1."
            ),
            True,
            31,
            7,
        ),
        (
            items[5],
            "Une seconde vie pour nos ordinateurs",
            "Donner nos ordinateurs portables remplacés aux écoles du quartier.",
            "",
            True,
            14,
            4,
        ),
    ]
    comments = [
        "Bonne nouvelle, merci !",
        "Enfin !",
        "J'en parle à mon équipe.",
        "Great, thank you.",
        "Je m'inscris.",
    ]
    for item, title, body, outcome, initiative, votes, volunteers in board:
        entry = FeedbackBoardEntry(
            item_id=item.id,
            title=title,
            body=body,
            outcome=outcome,
            is_initiative=initiative,
            published_by_id=hr.id,
            published_on=item.created_on + timedelta(days=4),
            vote_count=votes,
            volunteer_count=volunteers,
        )
        db.add(entry)
        db.flush()
        for voter in rng.sample(everyone, votes):
            db.add(FeedbackVote(entry_id=entry.id, user_id=voter))
        for n, person in enumerate(rng.sample(everyone, volunteers)):
            db.add(
                FeedbackVolunteer(
                    entry_id=entry.id, user_id=person, public=n % 4 != 3, joined_on=entry.published_on
                )
            )
        said = rng.sample(comments, 2)
        for n, (writer, text_) in enumerate(zip(rng.sample(everyone, 2), said, strict=True)):
            db.add(
                FeedbackComment(
                    entry_id=entry.id,
                    author_id=writer,
                    body=text_,
                    created_on=entry.published_on + timedelta(days=n + 1),
                )
            )
        entry.comment_count = len(said)
    db.flush()


def sweep_moments(size: str) -> list[datetime]:
    """When the engine's sweep replays the demo's activity before now: the end of each of the last
    eleven weeks on the small company, so that its journeys and the HR dashboard's twelve weeks
    move week by week; six weeks ago only on larger ones, whose load must stay quick."""
    if size != "small":
        return [REFERENCE - timedelta(days=45)]
    from app.services import snapshots

    this_week = snapshots.week_start(datetime.now(UTC))
    return [snapshots.week_end(this_week - timedelta(weeks=back)) for back in range(11, 0, -1)]


def adoption_history(db: Session) -> None:
    """Twelve weeks of adoption snapshots for the HR dashboard, read from the journeys the sweeps
    just wrote (each person's stage transitions and first sign-in): no figure is invented."""
    from app.services import snapshots

    snapshots.backfill(db)


def _ambassadors(db: Session) -> int:
    """Two ambassadors among the colleagues who give most in public (and their private community),
    an invitation waiting for Camille, and Julien's "my digital journey" testimonial; deterministic,
    a handful of rows written through the services, then dated before the demo's "now". Returns the
    number of posts written."""
    from sqlalchemy import select

    from app.models import (
        Ambassador,
        AmbassadorInvitation,
        AmbassadorSpace,
        Community,
        Membership,
        Notification,
        PostTag,
    )
    from app.services import ambassadors, posts, testimonials

    emails = [f"{name}@{DOMAIN}" for name in ("helene.rousseau", "camille.martin", "julien.moreau")]
    found = {u.email: u for u in db.scalars(select(User).where(User.email.in_(emails)))}
    hr, camille, julien = (found[email] for email in emails)
    # the demo company already has a private "Ambassadeurs Proxima" community: it becomes theirs
    existing = db.scalar(select(Community.id).where(Community.name == "Ambassadeurs Proxima"))
    if existing is not None:
        db.add(AmbassadorSpace(id=1, community_id=existing))
        db.flush()
    suggested = [
        s.user
        for s in ambassadors.suggestions(db, viewer=hr, now=REFERENCE)
        if s.user.id not in (camille.id, julien.id)
    ][:2]
    invited: list[tuple[AmbassadorInvitation, int, int | None]] = []  # (invitation, days ago, answered)
    for days, person in zip((9, 6), suggested, strict=False):
        invitation = ambassadors.invite(db, actor=hr, user_id=person.id)
        ambassadors.accept(db, actor=person, invitation_id=invitation.id)
        invited.append((invitation, days, days - 1))
    waiting = ambassadors.invite(
        db,
        actor=hr,
        user_id=camille.id,
        note="Tes réponses sur #python aident toute l'équipe de Lyon : rejoindrais-tu les ambassadeurs ?",
    )
    invited.append((waiting, 2, None))
    story = posts.create_post(
        db,
        actor=julien,
        data=posts.PostData(
            kind="article",
            title="Mon parcours numérique",
            body=(
                "**D'où je suis parti.** Il y a un an, je lisais sans jamais rien écrire.\n\n"
                "**Ce qui a changé.** Une question sur #python m'a valu trois réponses en une heure, "
                "et deux collègues de Paris que je ne connaissais pas. Mon équipe partage maintenant "
                "ses revues de code ici.\n\n"
                "**Ce que je dirais à qui commence.** Suivez cinq collègues et posez une vraie question : "
                "la suite vient toute seule."
            ),
            tags=[testimonials.TAG],
        ),
    )
    # the services write "now": date it all inside the demo's past, the same on every load
    space = ambassadors.space(db)
    assert space is not None
    for invitation, days, answered in invited:
        at = REFERENCE - timedelta(days=days)
        invitation.created_at = at
        if answered is not None:
            invitation.answered_at = REFERENCE - timedelta(days=answered)
            ambassador = db.get(Ambassador, invitation.user_id)
            assert ambassador is not None
            ambassador.since = invitation.answered_at
            seat = db.get(Membership, (space.id, invitation.user_id))
            if seat is not None and seat.created_at > REFERENCE:
                seat.created_at = seat.joined_at = seat.charter_accepted_at = invitation.answered_at
        db.execute(
            update(Notification)
            .where(Notification.group_key == f"ambassador_invitation:{invitation.id}")
            .values(created_at=at)
        )
    opened = REFERENCE - timedelta(days=9)
    if space.created_at > REFERENCE:
        space.created_at = space.updated_at = opened
    seat = db.get(Membership, (space.id, hr.id))
    if seat is not None and seat.created_at > REFERENCE:
        seat.created_at = seat.joined_at = seat.charter_accepted_at = opened
    told = REFERENCE - timedelta(days=3)
    story.created_at = told
    db.execute(
        update(Tag).where(Tag.key == testimonials.TAG, Tag.created_at > REFERENCE).values(created_at=told)
    )
    db.execute(update(PostTag).where(PostTag.post_id == story.id).values(created_at=told))
    db.execute(update(Notification).where(Notification.post_id == story.id).values(created_at=told))
    db.flush()
    return 1


def _mentoring_and_campaigns(db: Session) -> None:
    """Reverse mentoring under way (six pairs with a session held and rated, one planned for Sophie
    and Léa, a proposal waiting for Julien) and two campaigns (one running for Lyon, one scheduled for
    London); written through the services, then dated in the demo's past so that every load is alike."""
    from sqlalchemy import select

    from app.models import (
        ActivityEvent,
        AuditEntry,
        Campaign,
        CampaignRecipient,
        Community,
        MentoringEnrolment,
        MentoringFeedback,
        MentoringPair,
        MentoringSession,
        Notification,
        Post,
        Reaction,
    )
    from app.models.base import utcnow
    from app.services import campaigns, mentoring

    fixed = ("lea.garcia", "camille.martin", "sophie.bernard", "julien.moreau", "helene.rousseau")
    found = {
        u.email: u for u in db.scalars(select(User).where(User.email.in_([f"{n}@{DOMAIN}" for n in fixed])))
    }
    lea, camille, sophie, julien, helene = (found[f"{n}@{DOMAIN}"] for n in fixed)
    # young engineers who know python or sql mentor; the longest-serving colleagues elsewhere ask
    others = select(User).where(User.email.not_in(list(found)), User.is_active.is_(True))
    mentors = list(
        db.scalars(
            others.where(
                User.department == "Engineering",
                # a subquery, not DISTINCT over the users' columns: PostgreSQL cannot compare JSON
                User.id.in_(
                    select(UserTag.user_id)
                    .join(Tag, Tag.id == UserTag.tag_id)
                    .where(Tag.key.in_(["python", "sql"]))
                ),
            )
            .order_by(User.created_at.desc(), User.id)
            .limit(3)
        )
    )
    seniors = list(
        db.scalars(others.where(User.department != "Engineering").order_by(User.created_at, User.id).limit(5))
    )
    mentoring.offer_to_mentor(db, actor=lea, topics=["réseaux sociaux"], sessions_per_month=2)
    mentoring.offer_to_mentor(db, actor=camille, topics=["python", "data science"], sessions_per_month=2)
    for person in mentors:
        mine = [t for t in mentoring.expertise_of(db, person) if t in ("python", "sql")]
        mentoring.offer_to_mentor(db, actor=person, topics=mine, sessions_per_month=1)
    mentoring.ask_for_mentoring(db, actor=sophie, topics=["réseaux sociaux"], sessions_per_month=1)
    mentoring.ask_for_mentoring(db, actor=julien, topics=["data science"], sessions_per_month=1)
    for i, person in enumerate(seniors):
        mentoring.ask_for_mentoring(db, actor=person, topics=[("python", "sql")[i % 2]], sessions_per_month=1)
    pairs = mentoring.match(db)
    for i, pair in enumerate(pairs):
        mentor, mentee = db.get(User, pair.mentor_id), db.get(User, pair.mentee_id)
        assert mentor is not None
        assert mentee is not None
        if mentee.id == julien.id:  # Camille said yes; Julien has yet to answer
            mentoring.respond(db, actor=mentor, pair_id=pair.id, accept=True)
            continue
        mentoring.respond(db, actor=mentee, pair_id=pair.id, accept=True)
        mentoring.respond(db, actor=mentor, pair_id=pair.id, accept=True)
        held = mentoring.plan_session(
            db,
            actor=mentee,
            pair_id=pair.id,
            data=mentoring.SessionData(
                starts_at=utcnow() + timedelta(days=1),
                duration_minutes=45,
                location="Visio" if mentor.site != mentee.site else f"Cafétéria, {mentor.site}",
                agenda=f"Premiers pas : {', '.join(pair.topics)}",
            ),
        )
        held.starts_at = REFERENCE - timedelta(days=8 - i % 3, hours=2)
        held.ends_at = held.starts_at + timedelta(minutes=45)
        db.flush()
        for person, rating in ((mentee, 5 - i % 2), (mentor, 4 + i % 3 // 2)):
            mentoring.give_feedback(
                db,
                actor=person,
                session_id=held.id,
                rating=rating,
                comment="Très utile, merci !" if rating == 5 else "",
            )
        if mentee.id == sophie.id:
            upcoming = mentoring.plan_session(
                db,
                actor=mentor,
                pair_id=pair.id,
                data=mentoring.SessionData(
                    starts_at=utcnow() + timedelta(days=1),
                    duration_minutes=60,
                    location="Salle Agora, Paris",
                    agenda="LinkedIn : publier sans y passer des heures",
                ),
            )
            upcoming.starts_at = (REFERENCE + timedelta(days=6)).replace(
                hour=8, minute=30, second=0, microsecond=0
            )
            upcoming.ends_at = upcoming.starts_at + timedelta(hours=1)
    # the services wrote "now": date the programme in the demo's past
    waiting = [p.id for p in pairs if p.mentee_id == julien.id]
    db.execute(
        update(MentoringEnrolment).values(
            created_at=REFERENCE - timedelta(days=21), updated_at=REFERENCE - timedelta(days=21)
        )
    )
    old = REFERENCE - timedelta(days=20)
    db.execute(
        update(MentoringPair)
        .where(MentoringPair.id.not_in(waiting))
        .values(
            proposed_at=old,
            mentor_accepted_at=old + timedelta(hours=3),
            mentee_accepted_at=old + timedelta(hours=1),
            started_at=old + timedelta(hours=3),
        )
    )
    db.execute(
        update(MentoringPair)
        .where(MentoringPair.id.in_(waiting))
        .values(proposed_at=REFERENCE - timedelta(days=2), mentor_accepted_at=REFERENCE - timedelta(days=1))
    )
    db.execute(update(MentoringSession).values(created_at=REFERENCE - timedelta(days=15)))
    db.execute(
        update(MentoringFeedback).values(
            created_at=REFERENCE - timedelta(days=7), updated_at=REFERENCE - timedelta(days=7)
        )
    )
    db.execute(
        update(ActivityEvent)
        .where(ActivityEvent.kind.in_(["mentoring_mentor", "mentoring_mentee", "mentoring_pair"]))
        .values(created_at=old)
    )
    db.execute(
        update(Notification)
        .where(Notification.type == "mentoring")
        .values(created_at=old, read_at=old + timedelta(days=1))
    )
    db.execute(
        update(Notification)
        .where(
            Notification.type == "mentoring",
            Notification.group_key.in_([f"mentoring:{p}:proposed" for p in waiting]),
        )
        .values(created_at=REFERENCE - timedelta(days=2), read_at=None)
    )

    # a campaign for Lyon, featuring its latest public event, six days ago; one scheduled for London
    started = REFERENCE - timedelta(days=6)
    event = db.scalar(
        select(Post.id)
        .outerjoin(Community, Community.id == Post.community_id)
        .where(
            Post.kind == "event",
            Post.removed_at.is_(None),
            Post.created_at <= started,
            (Post.community_id.is_(None)) | (Community.visibility == "public"),
        )
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    )
    lyon, _size = campaigns.create_campaign(
        db,
        actor=helene,
        data=campaigns.CampaignData(
            title="Semaine du numérique à Lyon : trois ateliers de 45 minutes",
            body=(
                "Partager un fichier sans l'envoyer par mail, animer une visio, retrouver un expert : "
                "**trois ateliers courts**, sur place à Lyon. Venez avec vos questions !"
            ),
            audience=campaigns.Audience(sites=["Lyon"]),
            post_id=event,
        ),
        threshold=5,
        now=started,
    )
    recipients = list(
        db.scalars(
            select(CampaignRecipient)
            .where(CampaignRecipient.campaign_id == lyon.id)
            .order_by(CampaignRecipient.user_id)
        )
    )
    liked = set(db.scalars(select(Reaction.user_id).where(Reaction.post_id == event))) if event else set()
    converted = []
    for i, recipient in enumerate(recipients):
        if i % 3:
            recipient.seen_at = started + timedelta(hours=2 + i % 24)
        if i % 4 == 0:
            recipient.seen_at = recipient.seen_at or started + timedelta(hours=3)
            recipient.clicked_at = started + timedelta(hours=4 + i % 24)
            if i % 8 == 0 and event and recipient.user_id not in liked:
                converted.append(recipient)
    if event and converted:  # as the demo writes content: the rows, their activity and the counters
        at = started + timedelta(days=1)
        db.add_all(
            [Reaction(post_id=event, user_id=r.user_id, kind="like", created_at=at) for r in converted]
        )
        db.add_all(
            [
                ActivityEvent(
                    user_id=r.user_id, kind="like", subject_type="post", subject_id=event, created_at=at
                )
                for r in converted
            ]
        )
        db.execute(
            update(Post)
            .where(Post.id == event)
            .values(
                like_count=Post.like_count + len(converted),
                reaction_count=Post.reaction_count + len(converted),
            )
        )
    db.execute(update(Campaign).where(Campaign.id == lyon.id).values(created_at=started))
    db.execute(update(AuditEntry).where(AuditEntry.action == "campaign_created").values(created_at=started))
    campaigns.create_campaign(
        db,
        actor=helene,
        data=campaigns.CampaignData(
            title="London office: meet your Proxima ambassadors",
            body="Coffee and a 20-minute tour of what colleagues share here. Bring a question!",
            audience=campaigns.Audience(sites=["London"]),
            starts_at=(REFERENCE + timedelta(days=4)).replace(hour=9, minute=0, second=0, microsecond=0),
        ),
        threshold=5,
        now=REFERENCE - timedelta(days=1),
    )
    db.flush()


# The engagement engine reads people's activity events: derive them from the demo's content, in
# set-based statements, as the services would have recorded them one by one.
_ACTIVITY_FROM_CONTENT = [
    "SELECT author_id, 'post', 'post', id, created_at FROM posts",
    "SELECT author_id, 'praise_given', 'post', id, created_at FROM posts WHERE kind = 'praise'",
    "SELECT c.author_id, CASE WHEN c.parent_id IS NULL AND p.kind = 'question' THEN 'answer'"
    " ELSE 'comment' END, 'post', p.id, c.created_at FROM comments c JOIN posts p ON p.id = c.post_id",
    "SELECT c.author_id, 'answer_accepted', 'post', p.id, c.created_at FROM posts p"
    " JOIN comments c ON c.id = p.accepted_comment_id WHERE c.author_id <> p.author_id",
    "SELECT user_id, 'like', 'post', post_id, created_at FROM reactions",
    "SELECT user_id, 'rsvp', 'post', post_id, created_at FROM rsvps",
    "SELECT user_id, 'vote', 'post', post_id, created_at FROM poll_votes",
    "SELECT follower_id, 'follow', 'user', followee_id, created_at FROM follows",
    "SELECT user_id, 'join', 'community', community_id, COALESCE(joined_at, created_at) FROM memberships"
    " WHERE status = 'member'",
]


def _activity_from_content(db: Session) -> None:
    """Activity events for everything the demo people did, and one visit per day they acted on."""
    columns = "user_id, kind, subject_type, subject_id, created_at"
    with _indexes_built_after(db, Base.metadata.tables["activity_events"]):
        _derive_activity(db, columns)


@contextmanager
def _indexes_built_after(db: Session, *tables: Table) -> Iterator[None]:
    """Drop the tables' secondary indexes while many rows are written in no useful order, and build
    each once at the end, as a raw load does (activity events of the medium company: 7.3 s -> 3 s).
    Keys and unique constraints stay: they are part of the tables. In the load's transaction, so a
    failed load leaves the schema as it was."""
    connection = db.connection()
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def _derive_activity(db: Session, columns: str) -> None:
    for source in _ACTIVITY_FROM_CONTENT:
        db.execute(text(f"INSERT INTO activity_events ({columns}) {source}"))
    db.execute(
        text(
            f"INSERT INTO activity_events ({columns}) "  # noqa: S608 - fixed SQL
            "SELECT user_id, 'visit_day', NULL, NULL, MIN(created_at) FROM activity_events "
            "GROUP BY user_id, DATE(created_at)"
        )
    )


@contextmanager
def _bulk_load(db: Session) -> Iterator[Sink]:
    """A sink that writes rows straight to the driver: COPY on PostgreSQL, executemany on SQLite.

    On SQLite the triggers that keep `posts_fts` in step with `posts` (migration 0003) are dropped for
    the load, the index is rebuilt in one pass at the end, and the triggers are created again from
    their own SQL as SQLite kept it."""
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None

        def copy(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out,
            ):
                for row in rows:
                    out.write_row(row)

        yield copy
        return

    statements: dict[str, str] = {}

    def execute(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        statement = statements.get(table)
        if statement is None:
            marks = ", ".join("?" * len(columns))
            statement = statements[table] = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        connection.exec_driver_sql(statement, rows)

    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'posts' "
        "AND sql LIKE '%posts_fts%' ORDER BY name"
    ).all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield execute
    if triggers:
        connection.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
    for _name, sql in triggers:
        connection.exec_driver_sql(sql)


@contextmanager
def rollback_journal(engine: Engine) -> Iterator[None]:
    """On SQLite, load with a rollback journal instead of the write-ahead log, then go back to it.

    The load is one transaction of gigabytes (large company: 3 GB) into an empty file. Through the
    write-ahead log every page is written twice, to the log and then to the file when the log is
    checkpointed at the commit; with a rollback journal a page new to the file is written once and
    nothing needs journalling, as when `sqlite3` restores a dump. Still one transaction: a failed
    load leaves the file as it was. The mode cannot change inside a transaction, so it is set on the
    engine's pooled connection before the load's session begins: the engine must hold one connection
    (the CLI's does); readers arriving meanwhile wait, as they would for any writer."""
    if engine.dialect.name != "sqlite":
        yield
        return

    def journal(mode: str) -> None:
        raw = engine.raw_connection()  # the pysqlite connection runs without implicit transactions
        try:
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA journal_mode={mode}")
            cursor.fetchall()
            cursor.close()
        finally:
            raw.close()

    journal("DELETE")
    try:
        yield
    finally:
        journal("WAL")


@contextmanager
def _large_page_cache(db: Session) -> Iterator[None]:
    """On SQLite, a 256 MiB page cache for the load: the secondary indexes (posts, reactions, the
    activity events derived from them) are written in no useful order, and with the default 2 MiB
    nearly every row reads a page back from disk (medium company: 12.7 s -> 7.5 s for the activity
    events alone). The connection's own size is restored after."""
    connection = db.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size or -2000)}")


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
            # as old as Proxima itself (it opened about 18 months before the reference instant)
            created = REFERENCE - timedelta(days=548)
            self.rows.append({"id": self.ids[name], "name": name, "key": fold(name), "created_at": created})
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


# -- the life of the company: what people write -----------------------------------------------------------
#
# Posts, questions, articles, events, praise and polls are drawn from the templates below. A template's
# {slots} are filled per post (a site, a day, a topic, a hashtag, a colleague's @handle…). Each template
# is rendered to HTML once, with inert placeholders in the slots; the values go into the HTML afterwards,
# escaped as the renderer would escape them. Every value is checked once against the real renderer, and
# so is every template the first time it is used: body_html is what `markdown.render` gives for the body.

POSTS = {"small": 3_000, "medium": 200_000, "large": 1_000_000}
COMMUNITIES = {"small": 25, "medium": 150, "large": 800}

# What the posts are, and how they are told apart from one another (of every 100 posts).
KIND_MIX = {"status": 55, "question": 15, "article": 10, "event": 8, "praise": 7, "poll": 5}
PLAIN_KINDS = frozenset({"status", "praise", "poll"})  # plain text with links: `markdown.render(plain=True)`
_COMPANY_WIDE = 0.35

_Texts = dict[str, tuple[Any, ...]]  # kind -> templates: status and praise str, question/article/event
# (title, body), poll (question, options)


@dataclass(frozen=True)
class _Topic:
    """What a community (or a company-wide post) talks about, and the templates it has of its own."""

    key: str
    subjects: tuple[str, ...]  # French, as in "côté {topic}", "Atelier {topic}"
    subjects_en: tuple[str, ...]
    hashtags: tuple[str, ...]
    explicit: tuple[str, ...] = ()  # tags given apart from the text (may hold spaces)
    fr: _Texts = field(default_factory=dict)
    en: _Texts = field(default_factory=dict)
    own: float = 0.6  # how often its own templates are used rather than the generic ones


_GENERIC_FR: _Texts = {
    "status": (
        "Super session côté {topic} ce matin avec l'équipe, merci à tous pour vos idées. #{tag}",
        "Je partage une ressource utile : le guide interne {topic} vient d'être mis à jour. #{tag}",
        "Quelqu'un est dispo {day} pour un café à {site} ? J'aimerais échanger sur le sujet {topic}.",
        "Petite victoire du jour : le chantier {topic} est bouclé avec {n} jours d'avance ! #{tag}",
        "Merci @{m} pour le coup de main côté {topic} cette semaine, ça a débloqué toute l'équipe.",
        "Retour de conférence : plein d'idées à creuser côté {topic}. Je fais un résumé {day}. #{tag}",
        "Je cherche deux ou trois volontaires pour tester une nouvelle façon de travailler côté {topic}.",
        "On recrute ! Si vous connaissez quelqu'un que le sujet {topic} passionne, parlez-lui de nous. "
        "#{tag}",
        "Bonne nouvelle : la nouvelle démarche {topic} démarre {day}. Merci à toute l'équipe projet !",
        "Qui sera à {site} {day} ? On pourrait en profiter pour une session {topic} improvisée.",
        "Je viens de terminer la formation {topic} : je recommande, surtout la partie pratique. #{tag}",
        "Point d'étape {topic} : {n} sujets avancent bien, un seul reste bloqué. On en parle {day} à {hour}.",
        "Avec @{m}, on a présenté nos travaux {topic} à la direction. Bons retours ! #{tag}",
    ),
    "question": (
        (
            "Retour d'expérience {topic} ?",
            "Bonjour à tous,\n\nNous démarrons un chantier **{topic}** à {site} et je cherche des retours "
            "d'expérience :\n\n- qu'est-ce qui a bien marché chez vous ?\n- quels pièges éviter ?\n\n"
            "Merci d'avance ! #{tag}",
        ),
        (
            "Formation {topic} : laquelle choisir ?",
            "Je voudrais monter en compétence côté **{topic}**. Vous avez une formation à recommander, "
            "interne ou en ligne ?\n\n#{tag}",
        ),
        (
            "Qui connaît bien le sujet {topic} ?",
            "J'ai une question assez précise côté {topic} pour un client. Qui pourrait m'accorder "
            "15 minutes cette semaine ?",
        ),
        (
            "Un modèle de document pour {topic} ?",
            "Existe-t-il un modèle officiel pour les présentations {topic} ? Je ne le trouve pas dans "
            "l'intranet. #{tag}",
        ),
    ),
    "article": (
        (
            "{topic} : ce que nous avons appris en six mois",
            "Il y a six mois, nous avons lancé un chantier **{topic}** à {site}. Voici un premier bilan.\n\n"
            "## Ce qui a marché\n\n- des points courts chaque {day}\n- un binôme référent par équipe\n"
            "- une documentation tenue à jour\n\n## Ce que nous changerons\n\n"
            "1. impliquer les utilisateurs plus tôt\n2. mesurer les résultats dès le départ\n\n"
            "Vos retours sont les bienvenus en commentaire. #{tag}",
        ),
        (
            "Cinq conseils pour bien démarrer : {topic}",
            "Vous débutez côté {topic} ? Voici nos conseils :\n\n1. commencez petit, sur un cas concret\n"
            "2. trouvez un binôme\n3. notez vos questions au fil de l'eau\n"
            "4. partagez vos progrès dans la communauté\n5. demandez de l'aide tôt\n\n"
            "Merci à @{m} pour la relecture ! #{tag}",
        ),
        (
            "Compte rendu de l'atelier {topic}",
            "Merci aux {n}0 participants de l'atelier de {day} dernier.\n\n**Points clés :**\n\n"
            "- un vrai besoin de partage entre les sites\n- des outils encore trop dispersés\n"
            "- l'envie d'un rendez-vous mensuel\n\nProchaine étape : une session à {site}, date à caler. "
            "#{tag}",
        ),
    ),
    "event": (
        (
            "Atelier {topic}",
            "Un atelier pratique d'une heure et demie pour échanger côté {topic} :\n\n"
            "- partage d'expériences\n- démonstration\n- questions-réponses\n\n"
            "Ouvert à tous, débutants bienvenus. #{tag}",
        ),
        (
            "Afterwork {topic} à {site}",
            "On se retrouve après le travail pour parler {topic} autour d'un verre. Inscrivez-vous pour "
            "qu'on prévoie assez de boissons !",
        ),
        (
            "Webinaire : {topic} en pratique",
            "Une heure pour découvrir des cas concrets chez Proxima, avec des démonstrations et du temps "
            "pour vos questions. #{tag}",
        ),
        ("Café-débat {topic}", "Format court, 30 minutes, sur le sujet {topic}. Apportez vos questions !"),
    ),
    "poll": (
        (
            "Quel format préférez-vous pour nos prochaines sessions {topic} ?",
            ("Atelier sur place", "Webinaire", "Format court le midi", "Guide écrit"),
        ),
        (
            "À quelle fréquence voulez-vous des nouvelles côté {topic} ?",
            ("Chaque semaine", "Chaque mois", "Chaque trimestre"),
        ),
        ("Quel créneau pour le prochain rendez-vous ?", ("Le matin", "Le midi", "En fin de journée")),
        ("On garde le format actuel pour nos réunions {topic} ?", ("Oui", "Non")),
    ),
    "praise": (
        "Un grand merci à @{m} pour son aide précieuse sur le dossier {topic}. Toujours disponible et de "
        "bon conseil ! #merci",
        "Bravo @{m} pour la présentation de {day} : claire, concrète et pleine d'énergie. #bravo",
        "Je tiens à saluer le travail de @{m}, qui a tenu les délais malgré un planning très serré. Chapeau "
        "!",
        "@{m} a pris le temps de former toute l'équipe côté {topic}. Merci pour ta patience et ta pédagogie "
        "!",
        "Merci @{m} d'avoir remplacé au pied levé pour la réunion client. Tu as assuré ! #teamspirit",
        "Coup de chapeau à @{m} : grâce à toi, le projet {topic} a franchi une étape décisive. #merci",
    ),
}

_GENERIC_EN: _Texts = {
    "status": (
        "Great {topic} session this morning with the team, thanks all for the ideas. #{tag}",
        "Sharing a useful resource: the internal {topic} guide has just been updated. #{tag}",
        "Anyone free for a coffee in {site} on {day}? I'd love to compare notes on {topic}.",
        "Small win of the day: we wrapped up the {topic} workstream {n} days early! #{tag}",
        "Thanks @{m} for the help on {topic} this week, it unblocked the whole team.",
        "Back from a conference with lots of {topic} ideas. I'll share a summary on {day}. #{tag}",
        "Looking for two or three volunteers to try a new way of working on {topic}.",
        "Just finished the {topic} training: recommended, especially the hands-on part. #{tag}",
        "Quick {topic} update: {n} topics on track, one still blocked. Let's discuss on {day} at {hour}.",
        "With @{m} we presented our {topic} work to the leadership team. Great feedback! #{tag}",
    ),
    "question": (
        (
            "Lessons learned on {topic}?",
            "Hi all,\n\nWe're starting a **{topic}** initiative in {site} and I'm looking for lessons "
            "learned:"
            "\n\n- what worked well for you?\n- which pitfalls should we avoid?\n\nThanks in advance! #{tag}",
        ),
        (
            "Which {topic} training would you recommend?",
            "I'd like to get better at **{topic}**. Any course, internal or online, you'd "
            "recommend?\n\n#{tag}",
        ),
        (
            "Who knows {topic} well?",
            "I have a fairly specific {topic} question for a customer. Could someone spare 15 minutes this "
            "week?",
        ),
    ),
    "article": (
        (
            "{topic}: what we learned in six months",
            "Six months ago we started a **{topic}** initiative in {site}. Here is a first review.\n\n"
            "## What worked\n\n- short check-ins every {day}\n- one go-to pair per team\n"
            "- documentation kept up to date\n\n## What we will change\n\n1. involve users earlier\n"
            "2. measure results from day one\n\nComments welcome! #{tag}",
        ),
        (
            "Five tips to get started with {topic}",
            "New to {topic}? Here is our advice:\n\n1. start small, on a real case\n2. find a buddy\n"
            "3. write your questions down as you go\n4. share your progress in the community\n"
            "5. ask for help early\n\nThanks @{m} for reviewing! #{tag}",
        ),
        (
            "Notes from the {topic} workshop",
            "Thanks to the {n}0 people who joined last {day}'s workshop.\n\n**Key points:**\n\n"
            "- a real need to share across sites\n- tools still too scattered\n- appetite for a monthly "
            "meetup"
            "\n\nNext step: a session in {site}, date to be confirmed. #{tag}",
        ),
    ),
    "event": (
        (
            "{topic} workshop",
            "A 90-minute hands-on workshop on {topic}:\n\n- experience sharing\n- a demo\n- Q&A\n\n"
            "Open to all, beginners welcome. #{tag}",
        ),
        ("{topic} drinks in {site}", "Let's meet after work to talk {topic} over a drink. Please sign up!"),
        (
            "Webinar: {topic} in practice",
            "One hour of real {topic} cases at Proxima, with demos and Q&A. #{tag}",
        ),
    ),
    "poll": (
        (
            "Which format do you prefer for our next {topic} sessions?",
            ("On-site workshop", "Webinar", "Lunch & learn", "Written guide"),
        ),
        ("How often would you like {topic} updates?", ("Weekly", "Monthly", "Quarterly")),
        ("Which time slot for the next meetup?", ("Morning", "Lunchtime", "End of day")),
        ("Shall we keep the current format for our {topic} meetings?", ("Yes", "No")),
    ),
    "praise": (
        "A huge thank you to @{m} for the invaluable help on {topic}. Always available and full of good "
        "advice! #thanks",
        "Well done @{m} on {day}'s presentation: clear, practical and full of energy. #kudos",
        "Shout-out to @{m}, who hit the deadline despite a very tight schedule. Hats off!",
        "@{m} took the time to train the whole team on {topic}. Thanks for your patience!",
        "Thanks @{m} for stepping in at the last minute for the customer meeting. You nailed it! #teamspirit",
    ),
}

# Comments, by what they answer; {m} is the person answered (or a colleague worth asking).
_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "any": (
            "Merci pour le partage !",
            "Très intéressant, merci.",
            "Super initiative 👏",
            "Je veux bien plus d'infos !",
            "Top, merci @{m} !",
            "Bonne idée, on en parle {day} ?",
            "Je transmets à mon équipe.",
            "Excellente nouvelle 🎉",
            "Merci, c'est très clair.",
            "Est-ce que ça concerne aussi le site de {site} ?",
            "+1, on a le même besoin côté {topic}.",
            "Génial, bravo à toute l'équipe !",
        ),
        "question": (
            "Regarde le wiki de l'équipe, il y a une page dédiée.",
            "On a eu le même souci : c'était un problème de droits, le support l'a réglé en une journée.",
            "@{m} connaît bien le sujet, tu devrais lui demander.",
            "Oui, on l'a mis en place à {site} l'an dernier, je t'envoie notre retour d'expérience.",
            "Le plus simple est de passer par le portail du support.",
            "Essaie de repartir du modèle le plus récent, les anciens posent problème.",
            "Je te conseille la formation interne côté {topic}, elle est courte et très concrète.",
            "Nous utilisons un simple tableau partagé, ça suffit pour une petite équipe.",
            "Bonne question ! La procédure a changé en début d'année, vois la note sur l'intranet.",
            "Je te conseille d'en parler à ton manager, il y a souvent une solution locale.",
            "On a rédigé une fiche pratique sur le sujet, je te la partage.",
        ),
        "praise": (
            "Bravo !",
            "Amplement mérité 👏",
            "Félicitations @{m} !",
            "Entièrement d'accord, merci pour tout.",
            "Bravo, c'est mérité !",
        ),
        "event": (
            "Je serai là !",
            "Je m'inscris, merci pour l'organisation.",
            "Dommage, je suis en déplacement ce jour-là.",
            "Est-ce que ce sera enregistré ?",
            "Super, je viens avec deux collègues.",
        ),
        "poll": (
            "J'ai voté !",
            "Difficile de choisir…",
            "Pourquoi pas un mélange des deux ?",
            "Curieux de voir les résultats.",
        ),
        "reply": (
            "@{m} merci, c'est exactement ce qu'il me fallait !",
            "@{m} bonne idée, je regarde ça.",
            "Merci @{m} !",
            "@{m} je te rejoins sur ce point.",
            "+1",
        ),
    },
    "en": {
        "any": (
            "Thanks for sharing!",
            "Really interesting, thanks.",
            "Great initiative 👏",
            "Would love to hear more!",
            "Nice one, thanks @{m}!",
            "Good idea, shall we discuss on {day}?",
            "Passing this on to my team.",
            "Great news 🎉",
            "Does this apply to {site} too?",
            "+1, we have the same need on {topic}.",
        ),
        "question": (
            "Check the team wiki, there's a dedicated page.",
            "We had the same issue: it was a permissions problem, support fixed it within a day.",
            "@{m} knows this topic well, worth asking.",
            "Yes, we set it up in {site} last year. I'll send you our notes.",
            "Easiest is to go through the support portal.",
            "Try starting from the latest template, the old ones cause trouble.",
            "Good question! The process changed earlier this year, see the note on the intranet.",
            "We wrote a short how-to on this, I'll share it with you.",
        ),
        "praise": ("Well deserved!", "Congratulations @{m}!", "Totally agree, thank you!", "Bravo! 👏"),
        "event": (
            "Count me in!",
            "Signed up, thanks for organising.",
            "Shame, I'm travelling that day.",
            "Will it be recorded?",
        ),
        "poll": ("Voted!", "Hard to choose…", "Why not a mix of both?", "Curious to see the results."),
        "reply": (
            "@{m} thanks, exactly what I needed!",
            "@{m} good idea, I'll look into it.",
            "Thanks @{m}!",
            "+1",
        ),
    },
}

_TOPICS: dict[str, _Topic] = {
    t.key: t
    for t in (
        _Topic(
            key="covoiturage",
            subjects=("covoiturage", "mobilité"),
            subjects_en=("car sharing", "commuting"),
            hashtags=("covoiturage", "mobilité"),
            explicit=("covoiturage",),
            fr={
                "status": (
                    "Je monte de {place} demain matin, départ 7h45, il me reste 2 places. Qui est partant ? "
                    "#covoiturage",
                    "Retour vers {place} ce soir vers 18h15, une place libre. Signalez-vous en commentaire "
                    "! #covoiturage",
                    "Grève des transports annoncée {day} : je propose un covoiturage depuis {place}. "
                    "#covoiturage #mobilité",
                    "Ce mois-ci, {n}0 trajets partagés depuis {place} et alentour. Bravo à tous les "
                    "équipages ! #covoiturage #rse",
                    "Rappel : les places réservées au covoiturage sont au niveau -1 du parking. Pensez au "
                    "badge. #mobilité",
                ),
                "question": (
                    (
                        "Covoiturage régulier depuis {place} ?",
                        "Bonjour,\n\nJe cherche un covoiturage régulier depuis **{place}** les lundis et "
                        "jeudis. "
                        "Arrivée souhaitée entre 8h30 et 9h.\n\nQuelqu'un fait le trajet ? #covoiturage",
                    ),
                    (
                        "Quelle appli pour organiser nos trajets ?",
                        "On gère encore les trajets dans un tableau partagé. Vous connaissez une appli "
                        "simple pour :"
                        "\n\n- proposer un trajet en deux clics\n- être prévenu quand une place se libère\n"
                        "- partager les frais\n\nMerci ! #covoiturage",
                    ),
                ),
                "article": (
                    (
                        "Covoiturage : le bilan de l'année",
                        "Merci à toutes et à tous pour cette belle année de #covoiturage !\n\n## En "
                        "chiffres\n\n"
                        "- plus de {n}00 trajets partagés\n- une dizaine de lignes régulières autour de "
                        "{place}\n"
                        "- plusieurs tonnes de CO₂ évitées\n\n## Et maintenant ?\n\nNous ouvrons des trajets "
                        "le vendredi après-midi. Proposez vos horaires en commentaire.",
                    ),
                ),
                "event": (
                    (
                        "Petit-déjeuner des covoitureurs",
                        "On fait le point sur les lignes de covoiturage et on accueille les nouveaux "
                        "équipages.\n\n"
                        "Croissants et café offerts ! #covoiturage",
                    ),
                ),
                "poll": (
                    ("Quel horaire de départ vous arrange le plus le matin ?", ("7h30", "8h", "8h30", "9h")),
                ),
            },
            en={
                "status": (
                    "Driving in from {place} tomorrow, leaving at 7:45 with 2 seats free. Anyone? "
                    "#covoiturage",
                    "Heading back to {place} tonight around 6:15pm, one seat left. #covoiturage",
                ),
                "question": (
                    (
                        "Regular lift from {place}?",
                        "Hi all,\n\nI'm looking for a regular lift from **{place}** on Mondays and "
                        "Thursdays, "
                        "arriving around 8:30.\n\nAnyone doing that trip? #covoiturage",
                    ),
                ),
            },
        ),
        _Topic(
            key="data",
            subjects=(
                "data",
                "Power BI",
                "qualité des données",
                "tableaux de bord",
                "SQL",
                "machine learning",
            ),
            subjects_en=("data", "Power BI", "data quality", "dashboards", "SQL", "machine learning"),
            hashtags=("data", "powerbi", "sql", "python"),
            explicit=("data science", "power bi", "sql", "machine learning"),
            fr={
                "status": (
                    "Nouveau tableau de bord des ventes dans Power BI, avec le détail par site. Vos retours "
                    "sont les bienvenus ! #data #powerbi",
                    "Astuce SQL du jour : pensez aux fonctions de fenêtrage (`ROW_NUMBER`, `LAG`) avant "
                    "d'empiler les sous-requêtes. #sql",
                    "Le modèle de prévision se rafraîchit maintenant en 6 minutes au lieu de 40. Merci @{m} "
                    "pour l'optimisation ! #data",
                    "Le notebook Python de détection d'anomalies est partagé dans le dépôt de l'équipe. "
                    "#python #data",
                ),
                "question": (
                    (
                        "Jointure lente sur la table des commandes",
                        "Bonjour,\n\nMa jointure entre `commandes` et `clients` prend plus de 2 minutes :\n\n"
                        "```sql\nSELECT c.nom, count(*)\nFROM commandes o JOIN clients c ON c.id = "
                        "o.client_id\n"
                        "GROUP BY c.nom;\n```\n\nUne idée d'index à ajouter ? #sql",
                    ),
                    (
                        "Power BI ou Excel pour le reporting mensuel ?",
                        "Nous hésitons pour le reporting mensuel de l'équipe :\n\n"
                        "- **Power BI** : rafraîchissement automatique, partage simple\n"
                        "- **Excel** : tout le monde sait l'utiliser\n\nQu'avez-vous choisi, et pourquoi ? "
                        "#powerbi #excel",
                    ),
                ),
                "article": (
                    (
                        "Gouvernance des données : où en sommes-nous ?",
                        "Un an après le lancement du programme, voici un point d'étape.\n\n## Ce qui est en "
                        "place\n\n"
                        "- un catalogue de données partagé\n- des responsables de données dans chaque "
                        "direction\n"
                        "- des règles de qualité sur les référentiels clients\n\n## Les prochaines étapes\n\n"
                        "1. ouvrir le catalogue aux équipes de {site}\n2. automatiser les contrôles de "
                        "qualité\n"
                        "3. former les nouveaux arrivants\n\n#data",
                    ),
                ),
                "event": (
                    (
                        "Data café : les nouveautés Power BI",
                        "30 minutes pour découvrir les nouveautés et partager vos astuces. #powerbi #data",
                    ),
                ),
                "poll": (
                    (
                        "Quel outil utilisez-vous le plus pour analyser vos données ?",
                        ("Excel", "Power BI", "Python", "SQL directement"),
                    ),
                ),
            },
            en={
                "status": (
                    "New sales dashboard live in Power BI, with a breakdown by site. Feedback welcome! "
                    "#data #powerbi",
                    "SQL tip of the day: reach for window functions (`ROW_NUMBER`, `LAG`) before stacking "
                    "subqueries. #sql",
                ),
                "question": (
                    (
                        "Slow join on the orders table",
                        "Hi,\n\nMy join between `orders` and `customers` takes more than 2 minutes. "
                        "Which index would you add? #sql",
                    ),
                ),
            },
        ),
        _Topic(
            key="mentorat",
            subjects=("mentorat inversé", "outils numériques", "réseaux sociaux"),
            subjects_en=("reverse mentoring", "digital tools", "social media"),
            hashtags=("mentoratinversé", "mentorat"),
            explicit=("mentorat inversé",),
            fr={
                "status": (
                    "Première session de mentorat inversé avec mon binôme : j'ai enfin compris comment "
                    "ranger mes fichiers dans Teams ! #mentoratinversé",
                    "Nouvelle promotion du programme de mentorat inversé : {n}0 binômes formés cette année. "
                    "#mentoratinversé",
                    "Merci @{m}, mon binôme de mentorat, pour sa patience sur les outils collaboratifs. "
                    "#mentoratinversé",
                    "Appris ce mois-ci en mentorat inversé : publier sur le réseau interne prend deux "
                    "minutes et touche plus de monde qu'un mail. #mentoratinversé",
                ),
                "question": (
                    (
                        "Comment trouver un binôme de mentorat inversé ?",
                        "Bonjour,\n\nJe voudrais participer au programme mais je ne sais pas comment se "
                        "forment les "
                        "binômes. Faut-il passer par les RH ?\n\n#mentoratinversé #mentorat",
                    ),
                ),
                "article": (
                    (
                        "Mentorat inversé : six mois après",
                        "Le principe est simple : une jeune recrue accompagne un manager sur les usages "
                        "numériques. "
                        "Six mois après le lancement :\n\n- {n}0 binômes actifs\n- une heure ensemble "
                        "toutes les "
                        "deux semaines\n- des sujets variés : Teams, réseaux sociaux, IA générative\n\n"
                        "> « J'ai autant appris que la personne que j'accompagnais. »\n\n"
                        "Merci à @{m} pour l'animation du programme. #mentoratinversé",
                    ),
                ),
                "event": (
                    (
                        "Lancement de la nouvelle saison du mentorat inversé",
                        "Présentation du programme, témoignages de binômes et constitution des nouvelles "
                        "paires."
                        "\n\n**Ouvert à tous**, juniors comme seniors. #mentoratinversé",
                    ),
                ),
                "poll": (
                    (
                        "Quel sujet pour la prochaine session collective ?",
                        (
                            "L'IA générative au quotidien",
                            "Bien utiliser Teams",
                            "Soigner son profil",
                            "La cybersécurité",
                        ),
                    ),
                ),
            },
            en={
                "status": (
                    "First reverse-mentoring session with my partner: I finally know how to organise files "
                    "in Teams! #mentoratinversé",
                    "Thanks @{m}, my reverse mentor, for the patience with collaboration tools. "
                    "#mentoratinversé",
                ),
            },
        ),
        _Topic(
            key="digital",
            subjects=("transformation numérique", "IA générative", "outils collaboratifs"),
            subjects_en=("digital transformation", "generative AI", "collaboration tools"),
            hashtags=("digitalday", "digital"),
            explicit=("ia générative",),
            fr={
                "status": (
                    "J-{n} avant les Digital days ! Le programme des ateliers est en ligne. #digitalday",
                    "Quelle énergie pendant les Digital days à {site} : merci aux {n}0 participants des "
                    "ateliers ! #digitalday",
                    "Les supports de l'atelier IA générative sont dans l'espace de la communauté. "
                    "#digitalday #ia",
                    "Nous cherchons des volontaires pour animer un stand aux prochaines Digital days. Qui "
                    "se lance ? #digitalday",
                ),
                "question": (
                    (
                        "Les ateliers des Digital days seront-ils enregistrés ?",
                        "Je serai en déplacement ce jour-là. Pourra-t-on revoir les ateliers en replay ? "
                        "#digitalday",
                    ),
                ),
                "event": (
                    (
                        "Digital days : journée découverte",
                        "Au programme :\n\n- démonstrations des nouveaux outils\n- ateliers IA générative\n"
                        "- mentorat inversé en direct\n\nInscription conseillée, places limitées par "
                        "atelier. #digitalday",
                    ),
                    (
                        "Atelier : bien démarrer avec l'IA générative",
                        "Une heure pour découvrir les bons usages (et les limites) de l'IA générative au "
                        "travail. #digitalday #ia",
                    ),
                ),
                "poll": (
                    (
                        "Quel atelier voulez-vous aux prochaines Digital days ?",
                        ("IA générative", "Automatiser Excel", "Cybersécurité", "Travailler en mode projet"),
                    ),
                ),
            },
            en={
                "status": (
                    "Digital days are coming to {site}: the workshop programme is online. #digitalday",
                    "What a buzz at the Digital days, thanks to everyone who joined the workshops! "
                    "#digitalday",
                ),
                "event": (
                    (
                        "Digital days: discovery day",
                        "On the agenda:\n\n- demos of our new tools\n- generative AI workshops\n"
                        "- live reverse mentoring\n\nSign-up recommended. #digitalday",
                    ),
                ),
            },
        ),
        _Topic(
            key="rse",
            subjects=("RSE", "sobriété énergétique", "tri des déchets", "biodiversité"),
            subjects_en=("sustainability", "energy saving", "recycling"),
            hashtags=("rse", "greenteam", "climat"),
            explicit=("rse",),
            fr={
                "status": (
                    "Le compost du site de {site} est opérationnel ! Merci à la Green team pour "
                    "l'installation. #rse #greenteam",
                    "Opération « zéro gobelet » : {n}000 gobelets évités à la cafétéria depuis janvier. #rse",
                    "Fresque du climat {day} prochain : il reste quelques places. #climat #rse",
                    "Pensez à éteindre les écrans le vendredi soir : en veille, ils pèsent dans notre "
                    "consommation. #rse",
                    "Les ruches sur le toit de {site} ont donné leur première récolte de miel ! "
                    "#biodiversité #rse",
                ),
                "question": (
                    (
                        "Où recycler les piles et les cartouches ?",
                        "Bonjour, y a-t-il un point de collecte pour les piles et les cartouches d'encre à "
                        "{site} ? #rse",
                    ),
                ),
                "article": (
                    (
                        "Notre bilan carbone, expliqué simplement",
                        "Le bilan carbone de l'an dernier est publié. Trois chiffres à retenir :\n\n"
                        "1. les **déplacements** représentent près de la moitié de nos émissions\n"
                        "2. le **numérique** arrive en deuxième position\n3. les **bâtiments** suivent de "
                        "près\n\n"
                        "## Nos engagements\n\n- privilégier le train pour les trajets de moins de 4 heures\n"
                        "- allonger la durée de vie des ordinateurs\n- développer le #covoiturage\n\n"
                        "Toutes vos idées sont les bienvenues. #rse",
                    ),
                ),
                "event": (
                    (
                        "Fresque du climat",
                        "Un atelier collaboratif de trois heures pour comprendre les mécanismes du "
                        "changement "
                        "climatique.\n\nAnimé par deux fresqueurs de la Green team. #climat #rse",
                    ),
                    (
                        "Collecte de vêtements et de matériel informatique",
                        "Apportez vos vêtements en bon état et vos vieux appareils : tout sera donné à des "
                        "associations partenaires. #rse",
                    ),
                ),
                "poll": (
                    (
                        "Quelle action prioritaire pour la Green team cette année ?",
                        (
                            "Moins de déplacements en avion",
                            "Plus de végétal à la cantine",
                            "Un meilleur tri",
                            "Le covoiturage",
                        ),
                    ),
                ),
            },
            en={
                "status": (
                    "The London office now has a recycling corner on every floor. Thanks, Green team! #rse "
                    "#greenteam",
                    "Climate Fresk workshop next {day}: a few seats left. #climat #rse",
                ),
                "event": (
                    (
                        "Climate Fresk workshop",
                        "A three-hour collaborative workshop to understand how climate change works. "
                        "Run by two Green team facilitators. #climat #rse",
                    ),
                ),
            },
        ),
        _Topic(
            key="excel",
            subjects=("Excel", "tableaux croisés dynamiques", "Power Query", "macros"),
            subjects_en=("Excel", "pivot tables", "Power Query", "macros"),
            hashtags=("excel", "astuce"),
            explicit=("excel",),
            fr={
                "status": (
                    "Astuce du jour : Ctrl + Maj + L active les filtres en un clin d'œil. #excel #astuce",
                    "RECHERCHEX a changé ma vie : fini les RECHERCHEV avec des numéros de colonne ! #excel",
                    "Petit rappel : Power Query combine tous les fichiers d'un dossier en une seule table. "
                    "#excel",
                    "Saviez-vous qu'un double-clic sur la poignée de recopie remplit toute la colonne ? "
                    "#excel #astuce",
                ),
                "question": (
                    (
                        "Fusionner deux fichiers clients sans doublons ?",
                        "J'ai deux extractions clients aux formats différents. Quelle est la méthode la "
                        "plus fiable "
                        "pour les fusionner **sans doublons** ?\n\n- Power Query ?\n- une formule ?\n- une "
                        "macro ?"
                        "\n\n#excel",
                    ),
                    (
                        "Tableau croisé dynamique qui ne se met pas à jour",
                        "Mon TCD ignore les nouvelles lignes ajoutées à la source. Une idée ? #excel",
                    ),
                ),
                "article": (
                    (
                        "Les raccourcis Excel à connaître",
                        "Une sélection des raccourcis qui font gagner le plus de temps :\n\n"
                        "1. `Ctrl + Flèche` pour aller au bout des données\n2. `Ctrl + Maj + L` pour les "
                        "filtres\n"
                        "3. `Alt + =` pour une somme automatique\n4. `Ctrl + T` pour créer un tableau\n"
                        "5. `F4` pour figer une référence\n\nLa suite en commentaire ! #excel #astuce",
                    ),
                ),
                "event": (
                    (
                        "Atelier Excel : Power Query pour débuter",
                        "En une heure, apprenez à importer, nettoyer et combiner vos données sans une seule "
                        "formule. "
                        "Apportez votre ordinateur ! #excel",
                    ),
                ),
                "poll": (
                    ("Votre fonction Excel préférée ?", ("RECHERCHEX", "SOMME.SI.ENS", "INDEX/EQUIV", "LET")),
                ),
            },
            en={
                "status": (
                    "Tip of the day: Ctrl + Shift + L toggles filters in a flash. #excel #astuce",
                    "XLOOKUP changed my life: no more counting columns for VLOOKUP! #excel",
                ),
                "question": (
                    (
                        "Pivot table not refreshing",
                        "My pivot table ignores the rows added to the source. Any idea? #excel",
                    ),
                ),
            },
        ),
        _Topic(
            key="onboarding",
            subjects=("intégration", "onboarding", "parcours d'accueil"),
            subjects_en=("onboarding", "induction"),
            hashtags=("onboarding", "bienvenue"),
            explicit=("onboarding",),
            fr={
                "status": (
                    "Bienvenue aux {n} nouveaux arrivants qui nous ont rejoints cette semaine à {site} ! "
                    "#bienvenue #onboarding",
                    "Le livret d'accueil est à jour : plans des sites, contacts utiles et premiers pas sur "
                    "les outils. #onboarding",
                    "Premier jour chez Proxima : merci à toute l'équipe pour l'accueil chaleureux ! "
                    "#bienvenue",
                    "Petit-déjeuner d'accueil {day} à {hour}, {room}. Venez rencontrer vos nouveaux "
                    "collègues ! #onboarding",
                    "Le parcours d'intégration s'enrichit d'une visite du site de {site} et d'un déjeuner "
                    "avec un parrain ou une marraine. #onboarding",
                ),
                "question": (
                    (
                        "Où trouver le planning de la formation d'accueil ?",
                        "Bonjour, je viens d'arriver et je ne trouve pas les dates de la formation "
                        "d'accueil. Quelqu'un peut m'aider ? #onboarding",
                    ),
                    (
                        "Comment obtenir un badge définitif ?",
                        "Je viens d'arriver à {site} : quelle est la démarche pour obtenir un badge "
                        "définitif et un second écran ? #onboarding",
                    ),
                ),
                "article": (
                    (
                        "Vos 30 premiers jours chez Proxima",
                        "Bienvenue ! Voici une feuille de route pour bien démarrer.\n\n## Semaine 1\n\n"
                        "- récupérer badge et matériel\n- compléter votre profil (photo, expertises)\n"
                        "- rejoindre les communautés de votre site\n\n## Semaines 2 à 4\n\n"
                        "- rencontrer vos interlocuteurs clés\n- suivre la formation d'accueil\n"
                        "- poser vos questions ici, sans hésiter !\n\n#onboarding",
                    ),
                ),
                "event": (
                    (
                        "Matinée d'accueil des nouveaux arrivants",
                        "Au programme : présentation de l'entreprise, rencontre avec la direction, visite "
                        "du site "
                        "et déjeuner.\n\nPensez à votre badge provisoire. #onboarding #bienvenue",
                    ),
                ),
                "poll": (
                    (
                        "Qu'est-ce qui vous a le plus aidé pendant votre intégration ?",
                        (
                            "Mon parrain ou ma marraine",
                            "Le livret d'accueil",
                            "Les communautés",
                            "Mon manager",
                        ),
                    ),
                ),
            },
            en={
                "status": (
                    "Welcome to the {n} new joiners who started in {site} this week! #bienvenue #onboarding",
                    "First day at Proxima: thanks to the whole team for the warm welcome! #bienvenue",
                ),
                "question": (
                    (
                        "How do I get a permanent badge?",
                        "I've just joined in {site}: how do I get a permanent badge and a second screen? "
                        "#onboarding",
                    ),
                ),
            },
        ),
        _Topic(
            key="photo",
            subjects=("photo", "photo de rue", "retouche"),
            subjects_en=("photography", "street photography", "photo editing"),
            hashtags=("photo", "photographie"),
            explicit=("photographie",),
            fr={
                "status": (
                    "Balade photo {day} midi autour de {site} : rendez-vous à l'accueil à 12h15. #photo",
                    "Le thème du concours de ce mois : « lumières d'hiver ». Postez vos plus belles images "
                    "! #photographie",
                    "Quelqu'un a déjà testé le 35 mm f/1.8 ? J'hésite avec le 50 mm. #photo",
                    "Merci à @{m} pour l'initiation à la retouche, j'ai enfin compris les courbes ! #photo",
                ),
                "question": (
                    (
                        "Quel logiciel de retouche pour débuter ?",
                        "Je voudrais m'initier à la retouche sans me ruiner. Vous conseillez quoi ? #photo",
                    ),
                ),
                "event": (
                    (
                        "Sortie photo au lever du soleil",
                        "Rendez-vous à 7h pour une sortie au lever du soleil, suivie d'un café. Tous "
                        "niveaux, smartphones bienvenus ! #photo",
                    ),
                    (
                        "Exposition du Photo club",
                        "Les meilleures photos de l'année exposées dans le hall. Vernissage avec les "
                        "photographes. #photographie",
                    ),
                ),
                "poll": (
                    (
                        "Thème du prochain concours photo ?",
                        ("Architecture", "Portraits", "Nature en ville", "Noir et blanc"),
                    ),
                ),
            },
            en={
                "status": (
                    "Photo walk around {site} on {day} at lunchtime, meet at reception at 12:15. #photo",
                    "This month's contest theme: winter light. Share your best shots! #photographie",
                ),
                "event": (
                    (
                        "Sunrise photo walk",
                        "Meet at 7am for a sunrise walk followed by coffee. All levels welcome, phones too! "
                        "#photo",
                    ),
                ),
            },
        ),
        _Topic(
            key="sales",
            subjects=("grands comptes", "prospection", "négociation", "Salesforce"),
            subjects_en=("key accounts", "prospecting", "negotiation", "Salesforce"),
            hashtags=("sales", "salesforce", "crm"),
            explicit=("salesforce", "négociation", "grands comptes"),
            fr={
                "status": (
                    "Contrat signé ce matin avec un grand distributeur ! Merci à @{m} et à toute l'équipe "
                    "avant-vente. #sales",
                    "Objectif trimestriel atteint avec {n} semaines d'avance. Bravo à toute l'équipe ! "
                    "#sales",
                    "Rappel : mettez à jour vos opportunités dans Salesforce avant la revue de pipeline de "
                    "{day}. #salesforce #crm",
                    "Retour du salon professionnel : {n}0 contacts qualifiés, les relances commencent "
                    "lundi. #sales",
                ),
                "question": (
                    (
                        "Modèle de proposition commerciale à jour ?",
                        "Bonjour, où trouve-t-on la dernière version du modèle de proposition commerciale, "
                        "avec les nouvelles conditions générales ? #sales",
                    ),
                    (
                        "Comment gérer une demande de remise hors grille ?",
                        "Un client demande une remise au-delà de la grille. Quel est le circuit de "
                        "validation ?\n\n"
                        "- responsable des ventes ?\n- direction financière ?\n\nMerci ! #sales",
                    ),
                ),
                "article": (
                    (
                        "Ce que nos meilleurs rendez-vous clients ont en commun",
                        "Après l'analyse d'une cinquantaine de rendez-vous réussis, voici les points "
                        "communs :\n\n"
                        "1. au moins 30 minutes de préparation\n2. des questions ouvertes dès le début\n"
                        "3. une proposition de suite concrète\n\n**À retenir** : écouter plus que parler. "
                        "#sales #négociation",
                    ),
                ),
                "event": (
                    (
                        "Revue de pipeline trimestrielle",
                        "Revue des opportunités du trimestre, région par région. Mettez Salesforce à jour "
                        "avant la réunion. #salesforce",
                    ),
                ),
                "poll": (
                    (
                        "Quel support vous aide le plus en rendez-vous client ?",
                        ("La démo en direct", "Les études de cas", "La plaquette", "Le chiffrage sur mesure"),
                    ),
                ),
            },
            en={
                "status": (
                    "Signed the deal with a major retailer this morning! Thanks @{m} and the whole "
                    "pre-sales team. #sales",
                    "Quarterly target hit {n} weeks early. Well done, everyone! #sales",
                    "Reminder: please update your opportunities in Salesforce before {day}'s pipeline "
                    "review. #salesforce #crm",
                    "Back from the trade show with {n}0 qualified leads, follow-ups start Monday. #sales",
                ),
                "question": (
                    (
                        "Latest proposal template?",
                        "Where can I find the latest proposal template with the new terms and conditions? "
                        "#sales",
                    ),
                    (
                        "Off-grid discount request",
                        "A customer is asking for a discount beyond the grid. What's the approval "
                        "path?\n\n- sales manager?\n- finance?\n\nThanks! #sales",
                    ),
                ),
                "article": (
                    (
                        "What our best customer meetings have in common",
                        "We looked at about fifty successful meetings. The common threads:\n\n"
                        "1. at least 30 minutes of preparation\n2. open questions early on\n3. a concrete "
                        "next step"
                        "\n\n**Bottom line:** listen more than you talk. #sales",
                    ),
                ),
                "event": (
                    (
                        "Quarterly pipeline review",
                        "Opportunity review for the quarter, region by region. Please update Salesforce "
                        "beforehand. #salesforce",
                    ),
                ),
                "poll": (
                    (
                        "What helps you most in a customer meeting?",
                        ("A live demo", "Case studies", "The brochure", "Tailored pricing"),
                    ),
                ),
            },
        ),
        _Topic(
            key="lean",
            subjects=("lean", "amélioration continue", "5S", "qualité"),
            subjects_en=("lean", "continuous improvement", "5S", "quality"),
            hashtags=("lean", "qualité", "amélioration"),
            explicit=("lean", "amélioration continue", "iso 9001"),
            fr={
                "status": (
                    "Chantier 5S terminé sur la ligne de préparation de {site} : {n}0 % de temps de "
                    "recherche en moins ! #lean",
                    "Audit ISO 9001 passé sans écart majeur. Merci à toutes les équipes pour la préparation "
                    "! #qualité",
                    "Notre rituel de 10 minutes devant le tableau visuel commence à porter ses fruits. "
                    "#lean #amélioration",
                    "Nouvelle fiche standard publiée pour la réception des marchandises. #qualité",
                ),
                "question": (
                    (
                        "Quel outil pour suivre nos plans d'action qualité ?",
                        "Nous suivons nos actions correctives dans un fichier Excel devenu ingérable. "
                        "Qu'utilisez-vous de votre côté ?\n\n#qualité #lean",
                    ),
                ),
                "article": (
                    (
                        "Kaizen : retour sur la semaine d'amélioration",
                        "Pendant cinq jours, une équipe de {n} personnes a travaillé sur le flux de "
                        "préparation des "
                        "commandes.\n\n## Résultats\n\n- délai de préparation divisé par deux\n- moins de "
                        "manutention\n"
                        "- un nouveau standard de travail\n\n## Prochaine étape\n\nDéployer le standard à "
                        "{site}. #lean #amélioration",
                    ),
                ),
                "event": (
                    (
                        "Formation : les bases du lean",
                        "Une demi-journée pour découvrir les principes du lean : gaspillages, flux, "
                        "standard de travail. #lean",
                    ),
                ),
                "poll": (
                    (
                        "Quel chantier d'amélioration lancer en priorité ?",
                        (
                            "Réduction des stocks",
                            "Délais de livraison",
                            "Sécurité au poste",
                            "Qualité fournisseurs",
                        ),
                    ),
                ),
            },
            en={
                "status": (
                    "5S workshop done on the packing line: {n}0% less time spent searching for tools! #lean",
                    "ISO 9001 audit passed with no major findings. Thanks, everyone! #qualité",
                ),
            },
        ),
        _Topic(
            key="python",
            subjects=("Python", "tests automatisés", "typage", "FastAPI", "Kubernetes"),
            subjects_en=("Python", "automated tests", "type hints", "FastAPI", "Kubernetes"),
            hashtags=("python", "dev", "kubernetes"),
            explicit=("python", "tests automatisés", "kubernetes"),
            fr={
                "status": (
                    "Migration du service de facturation vers Python 3.12 terminée, sans incident ! #python",
                    "Astuce : `python -X importtime` montre ce qui ralentit le démarrage de vos scripts. "
                    "#python",
                    "Revue de code de l'après-midi : merci @{m} pour les remarques toujours bienveillantes. "
                    "#dev",
                    "La CI passe de 25 à 9 minutes en parallélisant les tests. #python #dev",
                    "Nouveau chart Helm pour les services internes, la doc est dans le dépôt. #kubernetes",
                ),
                "question": (
                    (
                        "Pytest : partager des fixtures entre dépôts ?",
                        "Bonjour,\n\nNous dupliquons les mêmes fixtures dans plusieurs dépôts. Une bonne "
                        "pratique "
                        "pour les partager ?\n\n- un paquet interne ?\n- un plugin pytest ?\n\n#python",
                    ),
                    (
                        "Quelle limite mémoire pour nos pods ?",
                        "Nos pods se font tuer régulièrement (`OOMKilled`). Comment fixez-vous vos limites "
                        "de mémoire ? #kubernetes",
                    ),
                ),
                "article": (
                    (
                        "Nos conventions Python, version 2",
                        "Après plusieurs mois de discussions, voici la nouvelle version de nos "
                        "conventions.\n\n"
                        "## Outils\n\n- `ruff` pour le style et le lint\n- `mypy` en mode strict sur le "
                        "nouveau code\n"
                        "- `pytest` pour tous les tests\n\n## Principes\n\n1. des fonctions courtes, "
                        "nommées pour ce "
                        "qu'elles font\n2. un test avant toute correction de bug\n3. aucune dépendance "
                        "ajoutée sans revue"
                        "\n\nMerci à @{m} pour la coordination. #python",
                    ),
                ),
                "event": (
                    (
                        "Meetup Python interne",
                        "Deux présentations de 20 minutes, puis pizzas :\n\n1. le typage progressif en "
                        "pratique\n2. profiler un service en production\n\n#python",
                    ),
                    (
                        "Coding dojo",
                        "Une heure pour résoudre un kata en binôme, dans la bonne humeur. Tous niveaux. "
                        "#python #dev",
                    ),
                ),
                "poll": (
                    (
                        "Votre outil de gestion des dépendances Python ?",
                        ("pip et requirements", "Poetry", "uv", "pip-tools"),
                    ),
                ),
            },
            en={
                "status": (
                    "Migrated the billing service to Python 3.12, no incidents! #python",
                    "Tip: `python -X importtime` shows what slows your script's startup. #python",
                    "CI down from 25 to 9 minutes by running tests in parallel. #python #dev",
                ),
                "question": (
                    (
                        "Sharing pytest fixtures across repos?",
                        "We copy the same fixtures into several repos. Any good way to share them? #python",
                    ),
                ),
            },
        ),
        _Topic(
            key="securite",
            subjects=("cybersécurité", "mots de passe", "hameçonnage"),
            subjects_en=("cybersecurity", "passwords", "phishing"),
            hashtags=("cybersécurité", "sécurité"),
            explicit=("sécurité",),
            fr={
                "status": (
                    "Attention : une campagne d'hameçonnage imite les mails de la paie. Ne cliquez sur "
                    "aucun lien et signalez le message. #cybersécurité",
                    "Rappel : la double authentification devient obligatoire sur tous les comptes le mois "
                    "prochain. #sécurité",
                    "Le gestionnaire de mots de passe de l'entreprise est ouvert à tous : fini les post-it "
                    "! #cybersécurité",
                    "Exercice d'hameçonnage : {n} % de clics, en nette baisse. Merci pour votre vigilance ! "
                    "#cybersécurité",
                ),
                "question": (
                    (
                        "Comment signaler un mail suspect ?",
                        "J'ai reçu un mail qui me demande de valider mes identifiants. Quelle est la "
                        "procédure pour le signaler ? #cybersécurité",
                    ),
                ),
                "article": (
                    (
                        "Cinq réflexes de cybersécurité",
                        "Quelques gestes simples protègent toute l'entreprise :\n\n1. vérifier l'expéditeur "
                        "avant de "
                        "cliquer\n2. activer la double authentification\n3. verrouiller sa session en "
                        "quittant son poste"
                        "\n4. ne jamais réutiliser un mot de passe\n5. signaler tout doute au "
                        "support\n\n#cybersécurité",
                    ),
                ),
                "event": (
                    (
                        "Mois de la cybersécurité : quiz géant",
                        "Testez vos réflexes face aux arnaques en ligne, en équipe. Des lots à gagner ! "
                        "#cybersécurité",
                    ),
                ),
            },
            en={
                "status": (
                    "Heads-up: a phishing campaign is imitating payroll emails. Don't click, report it. "
                    "#cybersécurité",
                    "Reminder: two-factor authentication becomes mandatory on all accounts next month. "
                    "#sécurité",
                ),
            },
        ),
        _Topic(
            key="management",
            subjects=("management", "feedback", "entretiens annuels", "télétravail"),
            subjects_en=("management", "feedback", "annual reviews", "hybrid work"),
            hashtags=("management", "leadership"),
            explicit=("management",),
            fr={
                "status": (
                    "Les entretiens annuels approchent : la trame mise à jour est dans l'espace RH. "
                    "#management",
                    "Testé cette semaine : des points individuels en marchant. Les échanges sont beaucoup "
                    "plus détendus ! #management",
                    "Merci pour vos retours sur la formation au feedback, une deuxième session est prévue "
                    "{day}. #leadership",
                    "Question du jour : comment gardez-vous le lien avec une équipe répartie sur trois "
                    "sites ? #management",
                ),
                "question": (
                    (
                        "Télétravail dans une équipe multi-sites ?",
                        "Mon équipe est répartie entre Paris, Lyon et Londres. Comment organisez-vous les "
                        "jours de présence pour garder du lien ?\n\n#management",
                    ),
                    (
                        "Recadrer sans démotiver",
                        "Un collaborateur rate régulièrement ses échéances. Comment aborder le sujet sans "
                        "le braquer ? #management",
                    ),
                ),
                "article": (
                    (
                        "Cinq rituels d'équipe qui marchent",
                        "Les rituels que plusieurs managers du réseau ont testés :\n\n1. une météo d'équipe "
                        "le lundi\n"
                        "2. un point de 15 minutes debout chaque matin\n3. une rétrospective mensuelle\n"
                        "4. un déjeuner d'équipe par trimestre\n5. des points individuels réguliers\n\n"
                        "Et vous, quels rituels gardez-vous ? #management",
                    ),
                ),
                "event": (
                    (
                        "Codéveloppement entre managers",
                        "Un manager expose une situation, le groupe l'aide à avancer. Confidentialité de "
                        "rigueur. #management",
                    ),
                ),
                "poll": (
                    (
                        "Combien de jours sur site pour votre équipe ?",
                        ("1 jour", "2 jours", "3 jours", "Au cas par cas"),
                    ),
                ),
            },
            en={
                "status": (
                    "Annual reviews are coming: the updated template is in the HR space. #management",
                    "Tried walking one-to-ones this week: much more relaxed conversations! #management",
                ),
            },
        ),
        _Topic(
            key="vie",
            own=0.9,
            subjects=("aménagement des bureaux", "accueil", "restauration"),
            subjects_en=("office layout", "reception", "catering"),
            hashtags=("viedusite", "cantine"),
            fr={
                "status": (
                    "Menu spécial produits locaux à la cantine de {site} {day} ! #cantine",
                    "Les travaux de la salle de pause du 2e étage se terminent {day}. Merci pour votre "
                    "patience. #viedusite",
                    "Quelqu'un a oublié un parapluie bleu dans {room}, il vous attend à l'accueil. "
                    "#viedusite",
                    "Afterwork {day} à partir de 18h, {room}. Venez nombreux ! #viedusite",
                    "La navette entre la gare et le site de {site} change d'horaires à partir de lundi. "
                    "#viedusite",
                    "Don du sang {day} dans le hall de {site}, inscriptions à l'accueil. #solidarité",
                    "Les casiers du 3e étage sont en libre-service, pensez à apporter votre cadenas. "
                    "#viedusite",
                ),
                "question": (
                    (
                        "Une salle pour 12 personnes {day} ?",
                        "Bonjour, quelqu'un connaît une salle de réunion pour 12 personnes à {site}, avec "
                        "visio ? Tout est complet dans l'outil de réservation. #viedusite",
                    ),
                    (
                        "Où se garer à vélo ?",
                        "Je viens d'arriver à {site} : y a-t-il un local vélo sécurisé ? #viedusite",
                    ),
                ),
                "event": (
                    (
                        "Afterwork de rentrée",
                        "Un moment convivial pour se retrouver. Boissons et amuse-bouches offerts ! "
                        "#viedusite",
                    ),
                    (
                        "Don du sang",
                        "L'Établissement français du sang s'installe dans nos locaux. Inscrivez-vous pour "
                        "un créneau de 45 minutes. #solidarité",
                    ),
                ),
                "poll": (
                    (
                        "Quel thème pour la soirée de fin d'année ?",
                        ("Années 80", "Casino", "Guinguette", "Soirée jeux"),
                    ),
                ),
            },
            en={
                "status": (
                    "Local produce menu in the {site} canteen on {day}! #cantine",
                    "The 2nd-floor break room refurbishment ends on {day}. Thanks for your patience. "
                    "#viedusite",
                    "Drinks on {day} from 6pm, {room}. All welcome! #viedusite",
                    "Someone left a blue umbrella in {room}; it's waiting at reception. #viedusite",
                ),
                "question": (
                    (
                        "Meeting room for 12 on {day}?",
                        "Does anyone know a meeting room for 12 in {site} with video? Everything is booked "
                        "in the tool. #viedusite",
                    ),
                ),
                "event": (
                    (
                        "Summer drinks",
                        "A relaxed get-together on the terrace. Drinks and snacks on us! #viedusite",
                    ),
                ),
                "poll": (
                    (
                        "Theme for the end-of-year party?",
                        ("80s night", "Casino", "Garden party", "Games night"),
                    ),
                ),
            },
        ),
        _Topic(
            key="codir",
            own=0.9,
            subjects=("stratégie", "budget", "plan stratégique"),
            subjects_en=("strategy", "budget", "strategic plan"),
            hashtags=("codir",),
            explicit=("stratégie",),
            fr={
                "status": (
                    "Ordre du jour du comité de {day} : revue du budget, point recrutements, projet Orion. "
                    "#codir",
                    "Les chiffres du mois sont dans le dossier partagé, à lire avant jeudi. #codir",
                    "Merci pour la qualité des échanges d'hier, compte rendu à suivre. #codir",
                ),
                "question": (
                    (
                        "Date de l'annonce aux équipes ?",
                        "Annonce-t-on la réorganisation avant ou après les entretiens annuels ?",
                    ),
                ),
                "article": (
                    (
                        "Synthèse du séminaire stratégique",
                        "Points clés du séminaire :\n\n1. accélérer sur les grands comptes européens\n"
                        "2. investir dans la data et l'IA\n3. poursuivre la réduction de notre empreinte "
                        "carbone\n\n"
                        "**Confidentiel** : ne pas diffuser avant l'annonce officielle.",
                    ),
                ),
                "poll": (
                    (
                        "Date du prochain séminaire de direction ?",
                        ("Mi-janvier", "Fin janvier", "Début février"),
                    ),
                ),
            },
        ),
        _Topic(
            key="projet",
            subjects=("projet",),
            subjects_en=("project",),
            hashtags=("projet",),
            fr={
                "status": (
                    "Comité de pilotage {day} : le planning est confirmé, on garde le cap. #projet",
                    "Jalon atteint ! La recette de la phase 1 est validée. Merci à toute l'équipe projet. "
                    "#projet",
                    "Point d'avancement : {n} tickets ouverts, dont deux bloquants. On en parle au point de "
                    "{hour}. #projet",
                    "Les comptes rendus des ateliers sont dans le dossier partagé. #projet",
                ),
                "question": (
                    (
                        "Qui valide les changements de périmètre ?",
                        "Une nouvelle demande arrive des métiers. Qui arbitre : le comité de pilotage ou le "
                        "chef de projet ? #projet",
                    ),
                ),
                "article": (
                    (
                        "Lancement : rôles et calendrier",
                        "Bienvenue dans l'équipe projet !\n\n## Calendrier\n\n- cadrage : 6 semaines\n- "
                        "réalisation : "
                        "4 mois\n- déploiement site par site, en commençant par {site}\n\n## Rituels\n\n- "
                        "point "
                        "d'équipe chaque {day} à {hour}\n- comité de pilotage mensuel\n\n#projet",
                    ),
                ),
                "event": (
                    (
                        "Comité de pilotage",
                        "Revue de l'avancement, des risques et des décisions à prendre. #projet",
                    ),
                ),
                "poll": (("Quel nom pour le prochain lot ?", ("Lot 2", "Phase pilote", "Vague 1")),),
            },
            en={
                "status": (
                    "Steering committee on {day}: timeline confirmed, we stay on course. #projet",
                    "Milestone reached! Phase 1 acceptance signed off. Thanks, team! #projet",
                ),
            },
        ),
        _Topic(
            key="sport",
            subjects=("course à pied", "trail", "vélo"),
            subjects_en=("running", "trail running", "cycling"),
            hashtags=("running", "sport", "vélo"),
            explicit=("course à pied", "vélo"),
            fr={
                "status": (
                    "Sortie course {day} midi, 8 km tranquilles au départ de {site}. Qui vient ? #running",
                    "Inscriptions ouvertes pour la course solidaire : on monte une équipe Proxima ! #sport",
                    "Nouveau record sur 10 km ce week-end, les entraînements du midi paient ! #running",
                    "Balade à vélo dimanche matin, environ 40 km à allure tranquille. #vélo",
                ),
                "event": (
                    (
                        "Course solidaire inter-entreprises",
                        "Une course de 5 ou 10 km au profit d'une association. Maillots Proxima fournis ! "
                        "#sport #running",
                    ),
                ),
                "poll": (
                    (
                        "Quel créneau pour les sorties running ?",
                        ("Le midi", "Avant le travail", "Après le travail"),
                    ),
                ),
            },
            en={
                "status": (
                    "Lunchtime run on {day}, an easy 8 km from the office. Who's in? #running",
                    "Charity run sign-ups are open: let's build a Proxima team! #sport",
                ),
            },
        ),
        _Topic(
            key="rh",
            subjects=("recrutement", "paie", "formation", "marque employeur"),
            subjects_en=("recruiting", "payroll", "training", "employer brand"),
            hashtags=("rh", "recrutement", "formation"),
            explicit=("recrutement", "formation", "paie"),
            fr={
                "status": (
                    "Campagne de recrutement d'alternants lancée : {n}0 postes ouverts sur les trois sites. "
                    "#recrutement",
                    "Le catalogue de formation de l'année prochaine est en ligne. #formation",
                    "Rappel : en décembre, la clôture de la paie est avancée au 15. #rh",
                    "Forum écoles {day} : merci aux ambassadeurs qui viendront présenter leur métier. "
                    "#recrutement",
                ),
                "question": (
                    (
                        "Quelle procédure pour une mobilité interne ?",
                        "Un collaborateur souhaite postuler sur une offre interne. Quelles sont les étapes "
                        "côté RH ? #rh",
                    ),
                ),
                "article": (
                    (
                        "Entretiens annuels : le guide",
                        "Tout ce qu'il faut savoir pour préparer les entretiens.\n\n## Calendrier\n\n"
                        "- auto-évaluation : avant le 15\n- entretiens : dans les trois semaines "
                        "suivantes\n\n"
                        "## Conseils\n\n1. relire les objectifs de l'an dernier\n2. préparer des exemples "
                        "concrets\n"
                        "3. parler aussi de développement\n\n#rh",
                    ),
                ),
                "event": (
                    (
                        "Forum de la mobilité interne",
                        "Découvrez les métiers et les postes ouverts dans toutes les directions. #rh "
                        "#formation",
                    ),
                ),
            },
            en={
                "status": (
                    "Apprenticeship campaign launched: {n}0 openings across the three sites. #recrutement",
                    "Next year's training catalogue is online. #formation",
                ),
            },
        ),
        _Topic(
            key="langues",
            subjects=("anglais", "espagnol", "tandem linguistique"),
            subjects_en=("French", "English", "language exchange"),
            hashtags=("tandem", "anglais"),
            explicit=("anglais",),
            fr={
                "status": (
                    "Tandem de {day} : on a parlé cuisine, en anglais puis en français. Très sympa ! #tandem",
                    "Je cherche un binôme anglophone pour pratiquer 30 minutes par semaine. #tandem #anglais",
                    "Expression du jour : « it's not my cup of tea », littéralement « ce n'est pas ma tasse "
                    "de thé » ! #anglais",
                ),
                "event": (
                    (
                        "Café des langues",
                        "Une demi-heure en anglais, une demi-heure en français, et des gâteaux dans les "
                        "deux langues. #tandem",
                    ),
                ),
            },
            en={
                "status": (
                    "Tandem session on {day}: we talked food, in English then in French. Great fun! #tandem",
                    "Looking for a French-speaking partner to practise 30 minutes a week. #tandem",
                    "French phrase of the day: « avoir la flemme », to not be bothered. #tandem",
                ),
                "event": (
                    (
                        "Language café",
                        "Half an hour in English, half an hour in French, snacks in both languages. #tandem",
                    ),
                ),
                "poll": (
                    ("Best format for language exchange?", ("One-to-one", "Small groups", "Lunch tables")),
                ),
            },
        ),
        _Topic(
            key="marketing",
            subjects=("marque", "réseaux sociaux", "webinaires", "SEO"),
            subjects_en=("brand", "social media", "webinars", "SEO"),
            hashtags=("marketing", "marque"),
            explicit=("réseaux sociaux", "seo", "marque"),
            fr={
                "status": (
                    "Notre nouvelle campagne est en ligne ! Merci @{m} pour les visuels. #marketing",
                    "Le webinaire client de {day} a réuni {n}00 inscrits, un record. #marketing",
                    "La charte graphique mise à jour est disponible dans la médiathèque. #marque",
                    "Nos publications ont gagné {n}0 % d'engagement ce trimestre. #marketing",
                ),
                "question": (
                    (
                        "Banque d'images libres de droits ?",
                        "Quelle banque d'images utilisons-nous pour les présentations clients ? #marketing",
                    ),
                ),
            },
            en={
                "status": (
                    "Our new campaign is live! Thanks @{m} for the visuals. #marketing",
                    "{day}'s customer webinar had {n}00 sign-ups, a record. #marketing",
                ),
            },
        ),
        _Topic(
            key="finance",
            subjects=("clôture", "budget", "SAP", "trésorerie"),
            subjects_en=("month-end close", "budget", "SAP", "treasury"),
            hashtags=("finance", "clôture", "sap"),
            explicit=("sap", "contrôle de gestion", "budget"),
            fr={
                "status": (
                    "Clôture mensuelle bouclée en {n} jours, un record ! Merci à toute l'équipe comptable. "
                    "#clôture",
                    "Rappel : les notes de frais du mois doivent être validées avant le 25. #finance",
                    "Le nouveau plan de comptes est déployé dans SAP. #sap",
                    "Les hypothèses budgétaires sont à remonter avant {day}. #finance",
                ),
                "question": (
                    (
                        "Dépense partagée entre deux centres de coûts ?",
                        "Une facture concerne deux équipes : comment la ventiler dans SAP ? #sap #finance",
                    ),
                ),
                "poll": (
                    (
                        "Quel format pour le reporting mensuel ?",
                        ("Tableau de bord Power BI", "Fichier Excel", "Présentation"),
                    ),
                ),
            },
            en={
                "status": (
                    "Month-end close done in {n} days, a record! Thanks to the accounting team. #clôture",
                    "Reminder: expense reports must be approved before the 25th. #finance",
                ),
            },
        ),
        _Topic(
            key="sap",
            subjects=("SAP", "S/4HANA", "référentiel articles"),
            subjects_en=("SAP", "S/4HANA", "item master data"),
            hashtags=("sap",),
            explicit=("sap",),
            fr={
                "status": (
                    "Nouvelle transaction de suivi des commandes dans SAP, le mode d'emploi est sur le "
                    "wiki. #sap",
                    "Formation key users S/4HANA {day} à {hour}, pensez à vous inscrire. #sap",
                    "Incident SAP résolu : les factures bloquées depuis ce matin sont repassées. Merci @{m} "
                    "! #sap",
                ),
                "question": (
                    (
                        "Extraction SAP qui tronque les libellés",
                        "Mon export de la transaction des commandes coupe les libellés longs. Une astuce ? "
                        "#sap #excel",
                    ),
                ),
                "event": (
                    (
                        "Club des key users SAP",
                        "Partage des bonnes pratiques et des évolutions du trimestre. #sap",
                    ),
                ),
            },
        ),
        _Topic(
            key="ops",
            subjects=("supply chain", "achats", "logistique", "planification"),
            subjects_en=("supply chain", "purchasing", "logistics", "planning"),
            hashtags=("supplychain", "logistique", "achats"),
            explicit=("supply chain", "logistique", "achats"),
            fr={
                "status": (
                    "L'entrepôt de {site} a expédié {n}000 commandes ce mois-ci. Bravo aux équipes ! "
                    "#logistique",
                    "Appel d'offres transport clôturé : {n} transporteurs retenus. #achats",
                    "Taux de service du mois : 98,{n} %. Merci à toute la chaîne ! #supplychain",
                    "Rappel sécurité : gilets obligatoires sur les quais de chargement. #logistique",
                ),
                "question": (
                    (
                        "Comment anticiper les ruptures fournisseurs ?",
                        "Trois ruptures ce trimestre. Quels indicateurs suivez-vous pour les anticiper ? "
                        "#supplychain",
                    ),
                ),
            },
            en={
                "status": (
                    "The {site} warehouse shipped {n},000 orders this month. Well done, team! #logistique",
                    "Transport tender closed: {n} carriers selected. #achats",
                ),
            },
        ),
        _Topic(
            key="ambassadeurs",
            subjects=("réseau social interne", "communication interne", "engagement"),
            subjects_en=("internal social network", "internal communications", "engagement"),
            hashtags=("ambassadeurs", "communication"),
            explicit=("communication interne",),
            fr={
                "status": (
                    "Kit ambassadeurs mis à jour : messages clés, visuels et FAQ pour accompagner vos "
                    "équipes. #ambassadeurs",
                    "Objectif du trimestre : que chaque équipe publie au moins une fois par semaine. On "
                    "compte sur vous ! #ambassadeurs",
                    "Bravo aux ambassadeurs de {site} : leur communauté a doublé en un mois. #communication",
                    "Merci @{m} pour l'animation de la session de découverte de Proxima ! #ambassadeurs",
                ),
                "question": (
                    (
                        "Comment relancer une communauté peu active ?",
                        "Ma communauté n'a plus de publication depuis trois semaines. Vos astuces pour la "
                        "relancer ? #ambassadeurs",
                    ),
                ),
                "event": (
                    (
                        "Réunion mensuelle des ambassadeurs",
                        "Tour de table des sites, chiffres d'adoption et idées d'animation. #ambassadeurs",
                    ),
                ),
                "poll": (
                    (
                        "Quel format d'animation pour le mois prochain ?",
                        (
                            "Un défi photo",
                            "Un quiz",
                            "Des questions à la direction",
                            "Des portraits de collègues",
                        ),
                    ),
                ),
            },
        ),
        _Topic(
            key="team",
            own=0.9,
            subjects=("organisation",),
            subjects_en=("organisation",),
            hashtags=("équipe",),
            fr={
                "status": (
                    "Point d'équipe décalé à {hour} {day}, même salle. #équipe",
                    "Qui s'occupe des croissants vendredi ? 🥐",
                    "Bienvenue à @{m} qui rejoint l'équipe lundi !",
                    "Bravo à toute l'équipe pour la livraison de cette semaine ! #équipe",
                    "Rappel : posez vos congés de fin d'année avant le 15 novembre.",
                ),
            },
            en={
                "status": (
                    "Stand-up moved to {hour} on {day}, same room. #équipe",
                    "Who's bringing pastries on Friday? 🥐",
                    "Welcome @{m}, who joins the team on Monday!",
                    "Great delivery this week, team! #équipe",
                ),
            },
        ),
        _Topic(key="club", subjects=("club",), subjects_en=("club",), hashtags=("club",)),
    )
}
# Company-wide posts and the departments' own communities talk about their department's trade.
_DEPARTMENT_TOPICS = {
    "Engineering": "python",
    "Sales": "sales",
    "Operations": "ops",
    "Finance": "finance",
    "Human Resources": "rh",
    "Marketing": "marketing",
}
_DEPARTMENT_HASHTAGS = {
    "Engineering": "tech",
    "Sales": "sales",
    "Operations": "opérations",
    "Finance": "finance",
    "Human Resources": "rh",
    "Marketing": "marketing",
}
# Clubs of the cross-department interests, with a topic of their own where there is one.
_CROSS_TOPICS = {
    "covoiturage": "covoiturage",
    "mentorat inversé": "mentorat",
    "rse": "rse",
    "photographie": "photo",
    "course à pied": "sport",
    "vélo": "sport",
    "anglais": "langues",
    "espagnol": "langues",
    "management": "management",
    "ia générative": "digital",
}
# How an expertise tag reads in a sentence (when not as written), in French and in English.
_TAG_WORDS: dict[str, tuple[str, str]] = {
    "python": ("Python", "Python"),
    "sql": ("SQL", "SQL"),
    "kubernetes": ("Kubernetes", "Kubernetes"),
    "devops": ("DevOps", "DevOps"),
    "java": ("Java", "Java"),
    "typescript": ("TypeScript", "TypeScript"),
    "react": ("React", "React"),
    "postgresql": ("PostgreSQL", "PostgreSQL"),
    "api": ("API", "APIs"),
    "sécurité": ("sécurité", "security"),
    "architecture logicielle": ("architecture logicielle", "software architecture"),
    "tests automatisés": ("tests automatisés", "automated testing"),
    "négociation": ("négociation", "negotiation"),
    "crm": ("CRM", "CRM"),
    "salesforce": ("Salesforce", "Salesforce"),
    "prospection": ("prospection", "prospecting"),
    "grands comptes": ("grands comptes", "key accounts"),
    "avant-vente": ("avant-vente", "pre-sales"),
    "appels d'offres": ("appels d'offres", "tenders"),
    "qualité": ("qualité", "quality"),
    "logistique": ("logistique", "logistics"),
    "achats": ("achats", "purchasing"),
    "iso 9001": ("ISO 9001", "ISO 9001"),
    "sécurité au travail": ("sécurité au travail", "health and safety"),
    "planification": ("planification", "planning"),
    "amélioration continue": ("amélioration continue", "continuous improvement"),
    "sap": ("SAP", "SAP"),
    "contrôle de gestion": ("contrôle de gestion", "management control"),
    "ifrs": ("IFRS", "IFRS"),
    "trésorerie": ("trésorerie", "treasury"),
    "fiscalité": ("fiscalité", "tax"),
    "power bi": ("Power BI", "Power BI"),
    "recrutement": ("recrutement", "recruiting"),
    "formation": ("formation", "training"),
    "paie": ("paie", "payroll"),
    "qvt": ("QVT", "wellbeing at work"),
    "marque employeur": ("marque employeur", "employer brand"),
    "droit social": ("droit social", "employment law"),
    "gpec": ("GPEC", "workforce planning"),
    "diversité et inclusion": ("diversité et inclusion", "diversity and inclusion"),
    "relations sociales": ("relations sociales", "employee relations"),
    "seo": ("SEO", "SEO"),
    "marque": ("marque", "brand"),
    "réseaux sociaux": ("réseaux sociaux", "social media"),
    "événementiel": ("événementiel", "events"),
    "communication interne": ("communication interne", "internal communications"),
    "design graphique": ("design graphique", "graphic design"),
    "relations presse": ("relations presse", "press relations"),
    "webinaires": ("webinaires", "webinars"),
    "rse": ("RSE", "CSR"),
    "photographie": ("photographie", "photography"),
    "anglais": ("anglais", "English"),
    "espagnol": ("espagnol", "Spanish"),
    "course à pied": ("course à pied", "running"),
    "vélo": ("vélo", "cycling"),
    "cuisine": ("cuisine", "cooking"),
    "musique": ("musique", "music"),
    "théâtre d'impro": ("théâtre d'impro", "improv theatre"),
    "bénévolat": ("bénévolat", "volunteering"),
    "échecs": ("échecs", "chess"),
    "prise de parole": ("prise de parole", "public speaking"),
    "gestion de projet": ("gestion de projet", "project management"),
    "agilité": ("agilité", "agile"),
    "ia générative": ("IA générative", "generative AI"),
    "accessibilité": ("accessibilité", "accessibility"),
    "stratégie": ("stratégie", "strategy"),
    "covoiturage": ("covoiturage", "car sharing"),
    "mentorat inversé": ("mentorat inversé", "reverse mentoring"),
}

_ROOMS = {
    "Paris": ("la salle Montmartre", "la salle Belleville", "l'auditorium", "la cafétéria du 3e"),
    "Lyon": ("la salle Confluence", "la salle Fourvière", "la salle Croix-Rousse", "l'atrium"),
    "London": ("the Thames room", "the Shoreditch room", "the 4th-floor kitchen", "the auditorium"),
}
_EVENT_ROOMS = {
    "Paris": (
        "Paris – salle Montmartre",
        "Paris – salle Belleville",
        "Paris – auditorium",
        "Paris – rooftop",
    ),
    "Lyon": ("Lyon – salle Confluence", "Lyon – salle Fourvière", "Lyon – atrium", "Lyon – cafétéria"),
    "London": ("London – Thames room", "London – Shoreditch room", "London – auditorium"),
}
_ONLINE = "Teams / en ligne"
_PLACES = {
    "Paris": (
        "Montreuil",
        "Vincennes",
        "Boulogne",
        "Saint-Denis",
        "Issy-les-Moulineaux",
        "Nanterre",
        "Créteil",
    ),
    "Lyon": ("Villeurbanne", "Vaulx-en-Velin", "Bron", "Vénissieux", "Caluire", "Écully", "Saint-Priest"),
    "London": ("Croydon", "Stratford", "Wimbledon", "Richmond", "Camden", "Greenwich"),
}
_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
}
_HOURS = {
    "fr": ("9h30", "11h", "12h30", "14h", "16h", "17h30"),
    "en": ("9:30", "11am", "12:30", "2pm", "4pm", "5:30pm"),
}
_NUMBERS = ("2", "3", "4", "5", "6", "8")

_CHARTERS = {
    "fr": (
        "1. Bienveillance avant tout : on critique les idées, jamais les personnes.\n"
        "2. Aucune information confidentielle sur nos clients.\n"
        "3. Une question ? Publiez-la en type « Question » pour qu'on puisse marquer la bonne réponse.",
        "- Restez dans le sujet de la communauté.\n- Citez vos sources.\n"
        "- Les managers de la communauté peuvent retirer un message hors charte.",
        "Cette communauté est un espace d'entraide. **Pas de publicité**, pas de données personnelles, "
        "et toujours un mot gentil pour les nouveaux.",
    ),
    "en": (
        "1. Be kind: challenge ideas, never people.\n2. No confidential customer information.\n"
        "3. Got a question? Post it as a Question so the best answer can be marked.",
        "- Stay on topic.\n- Quote your sources.\n- Community managers may remove posts that break this "
        "charter.",
    ),
}


@dataclass(frozen=True)
class _Spec:
    """A community to create: who it gathers and what it talks about."""

    name: str
    visibility: str
    topic: str
    description: str = ""
    charter: str = ""
    departments: tuple[str, ...] = ()  # empty: every department
    sites: tuple[str, ...] = ()  # empty: every site
    reach: float = 0.1  # the share of that pool that joins
    english: bool = False
    members: tuple[str, ...] = ()  # demo logins (email local parts) who belong to it
    managers: tuple[str, ...] = ()  # demo logins who manage it
    pool: str = ""  # "executives" or "managers": a pool of its own
    pending: int = 0  # join requests waiting (private communities)
    category: str = "named"
    subjects: tuple[str, ...] = ()  # overrides the topic's subjects
    subjects_en: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    explicit: tuple[str, ...] = ()
    people: tuple[int, ...] = ()  # an exact list of members (teams)


_PUBLIC, _PRIVATE, _SECRET = "public", "private", "secret"
_CAMILLE, _JULIEN, _OLIVER, _HELENE, _SOPHIE, _LEA, _NICOLAS = (
    "camille.martin",
    "julien.moreau",
    "oliver.smith",
    "helene.rousseau",
    "sophie.bernard",
    "lea.garcia",
    "admin",
)

# The communities every size has (the small company has the first 25), then those of the bigger ones.
NAMED_COMMUNITIES: tuple[_Spec, ...] = (
    _Spec(
        "Covoiturage Lyon",
        _PUBLIC,
        "covoiturage",
        "Trajets partagés vers le site de Lyon : proposez une place, trouvez un équipage, économisez et "
        "réduisez notre empreinte.",
        _CHARTERS["fr"][1],
        sites=("Lyon",),
        reach=0.25,
        members=(_CAMILLE, _JULIEN),
    ),
    _Spec(
        "Data & Analytics",
        _PUBLIC,
        "data",
        "Tableaux de bord, SQL, Python, Power BI et machine learning : tout ce qui aide à décider avec "
        "les données.",
        _CHARTERS["fr"][0],
        departments=("Engineering", "Finance", "Marketing"),
        reach=0.22,
        members=(_CAMILLE, _NICOLAS, _JULIEN),
    ),
    _Spec(
        "Mentorat inversé",
        _PUBLIC,
        "mentorat",
        "Les jeunes générations accompagnent les plus expérimentés sur les usages numériques, et "
        "réciproquement.",
        members=(_JULIEN, _CAMILLE),
        managers=(_HELENE,),
        reach=0.08,
    ),
    _Spec(
        "Digital days",
        _PUBLIC,
        "digital",
        "Préparez et suivez les Digital days : ateliers, démonstrations et découvertes numériques sur nos "
        "trois sites.",
        reach=0.18,
        members=(_SOPHIE, _OLIVER),
        managers=(_LEA,),
    ),
    _Spec(
        "RSE – Green team",
        _PUBLIC,
        "rse",
        "Les bénévoles qui font avancer la responsabilité sociale et environnementale de Proxima.",
        _CHARTERS["fr"][2],
        reach=0.1,
        members=(_SOPHIE, _CAMILLE),
    ),
    _Spec(
        "Excel astuces",
        _PUBLIC,
        "excel",
        "Formules, tableaux croisés, Power Query et raccourcis : partagez vos meilleures astuces.",
        departments=("Finance", "Sales", "Operations", "Human Resources"),
        reach=0.2,
        members=(_HELENE,),
    ),
    _Spec(
        "Nouveaux arrivants",
        _PUBLIC,
        "onboarding",
        "Bienvenue chez Proxima ! Posez toutes vos questions, on vous répond.",
        _CHARTERS["fr"][2],
        reach=0.15,
        members=(_CAMILLE,),
        managers=(_LEA, _HELENE),
    ),
    _Spec(
        "Photo club",
        _PUBLIC,
        "photo",
        "Sorties, concours et conseils de retouche, pour les amateurs de tous niveaux.",
        reach=0.06,
        members=(_OLIVER,),
        managers=(_LEA,),
    ),
    _Spec(
        "Sales Europe",
        _PUBLIC,
        "sales",
        "News, wins and best practice from the European sales teams.",
        _CHARTERS["en"][0],
        departments=("Sales",),
        reach=0.45,
        english=True,
        members=(_OLIVER,),
    ),
    _Spec(
        "Qualité & Lean",
        _PUBLIC,
        "lean",
        "Amélioration continue, 5S, kaizen et qualité : partageons nos chantiers.",
        departments=("Operations",),
        reach=0.3,
    ),
    _Spec(
        "Comité de direction",
        _SECRET,
        "codir",
        "L'espace de travail du comité de direction.",
        pool="executives",
        reach=1.0,
        managers=(_SOPHIE,),
    ),
    _Spec(
        "Ambassadeurs Proxima",
        _PRIVATE,
        "ambassadeurs",
        "Le réseau des ambassadeurs qui font vivre Proxima dans leurs équipes. Sur demande.",
        _CHARTERS["fr"][0],
        reach=0.04,
        managers=(_LEA,),
        pending=3,
    ),
    _Spec(
        "Communauté Python",
        _PUBLIC,
        "python",
        "Développeuses et développeurs Python de tous les sites : revues de code, outils, meetups.",
        departments=("Engineering",),
        reach=0.3,
        members=(_CAMILLE, _JULIEN, _NICOLAS),
    ),
    _Spec(
        "Managers de proximité",
        _PRIVATE,
        "management",
        "Entre managers : partage de pratiques, codéveloppement et questions délicates.",
        _CHARTERS["fr"][0],
        pool="managers",
        reach=0.35,
        members=(_JULIEN,),
        pending=1,
    ),
    _Spec(
        "Sécurité & IT",
        _PUBLIC,
        "securite",
        "Alertes, bonnes pratiques et questions sur la sécurité informatique.",
        reach=0.06,
        managers=(_NICOLAS,),
    ),
    _Spec(
        "London office",
        _PUBLIC,
        "vie",
        "Everything about life at the London office.",
        sites=("London",),
        reach=0.4,
        english=True,
        members=(_OLIVER,),
    ),
    _Spec(
        "Vie du site – Paris",
        _PUBLIC,
        "vie",
        "Actualités, services et petites annonces du site de Paris.",
        sites=("Paris",),
        reach=0.3,
        members=(_HELENE, _SOPHIE, _NICOLAS),
        managers=(_LEA,),
    ),
    _Spec(
        "Vie du site – Lyon",
        _PUBLIC,
        "vie",
        "Actualités, services et petites annonces du site de Lyon.",
        sites=("Lyon",),
        reach=0.3,
        members=(_CAMILLE, _JULIEN),
    ),
    _Spec(
        "Projet Orion",
        _SECRET,
        "projet",
        "Projet confidentiel : accès sur invitation uniquement.",
        departments=("Engineering", "Finance"),
        reach=0.03,
        subjects=("projet Orion",),
        subjects_en=("Project Orion",),
        hashtags=("orion", "projet"),
    ),
    _Spec(
        "Course à pied & trail",
        _PUBLIC,
        "sport",
        "Sorties du midi, courses solidaires et plans d'entraînement.",
        reach=0.05,
    ),
    _Spec(
        "Réseau RH",
        _PRIVATE,
        "rh",
        "L'espace de travail de la fonction RH, tous sites confondus.",
        departments=("Human Resources",),
        reach=0.7,
        managers=(_HELENE,),
    ),
    _Spec(
        "English–French tandem",
        _PUBLIC,
        "langues",
        "Practise French or English with a colleague: tandems, language cafés and phrases of the day.",
        reach=0.05,
        english=True,
        members=(_OLIVER, _HELENE),
    ),
    _Spec(
        "Marketing & marque",
        _PUBLIC,
        "marketing",
        "Campagnes, charte graphique, réseaux sociaux et webinaires.",
        departments=("Marketing",),
        reach=0.4,
    ),
    _Spec(
        "Finance – clôtures",
        _PRIVATE,
        "finance",
        "Organisation des clôtures mensuelles et annuelles.",
        departments=("Finance",),
        reach=0.5,
    ),
    _Spec(
        "Key users SAP",
        _PRIVATE,
        "sap",
        "Le club des utilisateurs clés de SAP : évolutions, incidents et formations.",
        departments=("Finance", "Operations"),
        reach=0.08,
        pending=2,
    ),
    # -- from here on, the medium and large companies only
    _Spec(
        "Supply chain & achats",
        _PUBLIC,
        "ops",
        "Approvisionnement, transport, entrepôts et achats.",
        departments=("Operations",),
        reach=0.25,
    ),
    _Spec(
        "IA générative",
        _PUBLIC,
        "digital",
        "Cas d'usage, bonnes pratiques et limites de l'IA générative au travail.",
        _CHARTERS["fr"][0],
        reach=0.08,
        subjects=("IA générative",),
        subjects_en=("generative AI",),
        hashtags=("ia", "iagénérative"),
        explicit=("ia générative",),
    ),
    _Spec(
        "Vélotaf",
        _PUBLIC,
        "sport",
        "Aller au travail à vélo : itinéraires, équipement, entretien.",
        reach=0.04,
    ),
    _Spec(
        "Parents au travail",
        _PUBLIC,
        "vie",
        "Entraide entre parents : crèches, vacances scolaires, organisation.",
        reach=0.06,
    ),
    _Spec(
        "Accessibilité numérique",
        _PUBLIC,
        "club",
        "Rendre nos outils et nos documents accessibles à toutes et à tous.",
        reach=0.03,
        subjects=("accessibilité",),
        subjects_en=("accessibility",),
        hashtags=("accessibilité", "a11y"),
        explicit=("accessibilité",),
    ),
    _Spec(
        "Agilité & Scrum",
        _PUBLIC,
        "management",
        "Rituels, outils et retours d'expérience agiles.",
        reach=0.06,
        subjects=("agilité", "Scrum", "rétrospectives"),
        subjects_en=("agile", "Scrum", "retrospectives"),
        hashtags=("agilité", "scrum"),
        explicit=("agilité",),
    ),
    _Spec(
        "Power BI",
        _PUBLIC,
        "data",
        "Rapports, modèles et astuces Power BI.",
        departments=("Finance", "Sales", "Marketing", "Operations"),
        reach=0.06,
        subjects=("Power BI",),
        subjects_en=("Power BI",),
        hashtags=("powerbi",),
        explicit=("power bi",),
    ),
    _Spec(
        "UK Sales",
        _PUBLIC,
        "sales",
        "The UK sales team's space: deals, pipeline and customer news.",
        departments=("Sales",),
        sites=("London",),
        reach=0.6,
        english=True,
    ),
    _Spec(
        "Prise de parole en public",
        _PUBLIC,
        "club",
        "S'entraîner à présenter, pitcher et animer une réunion.",
        reach=0.03,
        subjects=("prise de parole",),
        subjects_en=("public speaking",),
        hashtags=("pitch",),
        explicit=("prise de parole",),
    ),
    _Spec(
        "Élus CSE",
        _PRIVATE,
        "rh",
        "L'espace de travail des élus du comité social et économique.",
        reach=0.01,
        subjects=("CSE", "relations sociales"),
        subjects_en=("works council",),
        hashtags=("cse",),
        explicit=("relations sociales",),
    ),
    _Spec(
        "Projet Atlas – refonte du SI",
        _PRIVATE,
        "projet",
        "Le projet de refonte du système d'information : planning, ateliers, décisions.",
        departments=("Engineering", "Operations", "Finance"),
        reach=0.04,
        subjects=("projet Atlas",),
        subjects_en=("Project Atlas",),
        hashtags=("atlas", "projet"),
    ),
    _Spec(
        "Pilotage budgétaire",
        _SECRET,
        "finance",
        "Préparation du budget de l'année prochaine (confidentiel).",
        departments=("Finance",),
        reach=0.1,
        subjects=("budget",),
        subjects_en=("budget",),
        hashtags=("budget",),
    ),
    _Spec(
        "Échecs",
        _PUBLIC,
        "club",
        "Parties du midi, tournois internes et problèmes du jour.",
        reach=0.02,
        subjects=("échecs",),
        subjects_en=("chess",),
        hashtags=("échecs",),
        explicit=("échecs",),
    ),
)

# Project code names for the bigger companies' project communities.
_CODENAMES = _words(
    """
    Hermès, Boréal, Polaris, Sirius, Véga, Cassiopée, Andromède, Phénix, Mistral, Sirocco, Alizé, Zéphyr,
    Everest, Kilimandjaro, Mont-Blanc, Olympe, Iris, Lotus, Cèdre, Séquoia, Baobab, Topaze, Saphir,
    Émeraude, Opale, Onyx, Rubis, Nova, Quasar, Pulsar, Comète, Météore, Horizon, Odyssée, Ulysse, Pégase,
    Centaure, Titan, Hélios, Séléné, Gaïa, Aurore, Équinoxe, Solstice, Galilée, Kepler, Newton, Curie,
    Lovelace, Turing, Hopper, Pasteur, Eiffel, Rhône, Saône, Loire, Garonne, Vercors, Chartreuse, Belledonne
    """
)

# The chief executive's leadership posts: (days before the reference instant, kind, title, body).
_CEO_POSTS: tuple[tuple[float, str, str | None, str], ...] = (
    (
        530,
        "article",
        "Nos priorités pour l'année",
        "Chères et chers collègues,\n\nVoici les trois priorités que le comité de direction a retenues :\n\n"
        "1. **nos clients** : un interlocuteur unique pour chaque grand compte\n"
        "2. **nos talents** : plus de mobilité entre les sites et les métiers\n"
        "3. **notre impact** : réduire de 20 % nos émissions d'ici trois ans\n\n"
        "Je compte sur chacune et chacun d'entre vous. #leadership #stratégie",
    ),
    (
        470,
        "status",
        None,
        "Bravo aux équipes de Lyon pour l'ouverture du nouvel entrepôt, dans les délais et sans accident ! "
        "#leadership",
    ),
    (
        410,
        "event",
        "Réunion plénière de printemps",
        "Toute l'entreprise réunie pour faire le point sur nos résultats et nos projets.\n\n"
        "- le mot de la direction\n- les réussites du semestre\n- vos questions, sans filtre\n\n"
        "Retransmission en direct pour Lyon et Londres. #leadership",
    ),
    (
        350,
        "article",
        "Résultats annuels : merci à toutes et à tous",
        "L'année se termine au-dessus de nos objectifs, avec une croissance de 8 %.\n\n"
        "## Ce dont je suis fière\n\n- la signature de nos premiers grands comptes européens\n"
        "- la réussite des Digital days sur nos trois sites\n- l'engagement de la Green team\n\n"
        "## Ce qui nous attend\n\nUne année d'investissement dans la data, nos outils et la formation. "
        "Merci pour votre engagement. #leadership",
    ),
    (
        290,
        "status",
        None,
        "Je serai à Londres toute la semaine prochaine. Mon agenda est ouvert le mercredi après-midi : venez "
        "me voir ! #leadership",
    ),
    (
        230,
        "article",
        "Notre feuille de route RSE",
        "Nous publions aujourd'hui notre feuille de route RSE.\n\n"
        "1. le train plutôt que l'avion pour les trajets de moins de quatre heures\n"
        "2. des ordinateurs gardés un an de plus\n3. une journée de bénévolat par an pour chacun\n\n"
        "Merci à la Green team pour son travail. #rse #leadership",
    ),
    (
        170,
        "status",
        None,
        "Premier semestre au-dessus de nos objectifs. Merci à toutes les équipes pour leur engagement ! "
        "#leadership",
    ),
    (
        110,
        "article",
        "Digital days : pourquoi j'y crois",
        "Les Digital days reviennent le mois prochain. Ce ne sont pas des journées de démonstration : ce "
        "sont "
        "des journées pour **apprendre ensemble**.\n\nJ'y participerai moi-même, en binôme de mentorat "
        "inversé. "
        "Inscrivez-vous ! #digitalday #leadership",
    ),
    (
        60,
        "poll",
        None,
        "Quel thème pour notre prochaine réunion plénière ? #leadership",
    ),
    (
        20,
        "event",
        "Réunion plénière de fin d'année",
        "Rendez-vous à l'auditorium de Paris, et en direct depuis Lyon et Londres, pour clore l'année "
        "ensemble.\n\nAu programme : bilan, perspectives et un moment convivial. #leadership",
    ),
    (
        1.8,
        "status",
        None,
        "Merci à toutes et à tous pour ce mois d'octobre intense. La réunion plénière de fin d'année "
        "approche : "
        "venez nombreux, et apportez vos questions ! #leadership",
    ),
)
_CEO_POLL = ("Nos clients", "L'innovation", "La qualité de vie au travail", "Notre impact environnemental")

_LEADERSHIP: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "fr": (
        (
            "article",
            "Des nouvelles de la direction {dept}",
            "Chères et chers collègues,\n\nQuelques nouvelles de notre direction :\n\n- nos objectifs du "
            "semestre "
            "sont atteints\n- deux projets majeurs démarrent\n- nous recrutons sur les trois sites\n\n"
            "Merci pour votre engagement. #leadership",
        ),
        (
            "status",
            None,
            "Merci à toutes les équipes {dept} pour ce trimestre exceptionnel. Rendez-vous à la réunion "
            "plénière pour le fêter ! #leadership",
        ),
    ),
    "en": (
        (
            "article",
            "News from the {dept} leadership team",
            "Dear colleagues,\n\nA few updates:\n\n- our half-year goals are met\n- two major projects are "
            "starting\n- we are hiring on all three sites\n\nThank you for your commitment. #leadership",
        ),
        (
            "status",
            None,
            "Thank you to all the {dept} teams for an outstanding quarter. See you at the all-hands to "
            "celebrate! #leadership",
        ),
    ),
}


# -- the life of the company: rendering --------------------------------------------------------------------

_DAY = 86_400
_EPOCH = (REFERENCE - timedelta(days=800)).replace(hour=0, minute=0, second=0, microsecond=0)
_NOW = int((REFERENCE - _EPOCH).total_seconds())  # the reference instant, in seconds since _EPOCH
_SINCE = _NOW - 548 * _DAY  # Proxima opened about 18 months before the reference instant
_CHUNK = 4_000  # posts (with all that hangs on them) generated between two writes
_SLOT = re.compile(r"\{(\w+)\}")
_PLACEHOLDER = re.compile(r"zq(\d+)zq(T?)")


def _secs(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def _moment(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


class _Clock:
    """Seconds since _EPOCH, written the way the database stores timestamps (tables, no datetime objects)."""

    def __init__(self, postgresql: bool) -> None:
        first = _EPOCH.date()
        self.days = [f"{first + timedelta(days=d)} " for d in range(_NOW // _DAY + 400)]
        suffix = "+00" if postgresql else ".000000"  # SQLAlchemy's SQLite format; PostgreSQL reads UTC
        self.seconds = [
            f"{h:02d}:{m:02d}:{s:02d}{suffix}" for h in range(24) for m in range(60) for s in range(60)
        ]

    def __call__(self, t: int) -> str:
        return self.days[t // _DAY] + self.seconds[t % _DAY]


def _format_source(text: str, slots: dict[str, int]) -> str:
    """A template as a str.format pattern: {slot} -> {index}, other braces doubled."""
    parts = _SLOT.split(text)
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(f"{{{slots[part]}}}")
        else:
            out.append(part.replace("{", "{{").replace("}", "}}"))
    return "".join(out)


@dataclass
class _Template:
    """A post or comment template, rendered once: str.format patterns for its title, body and HTML."""

    source: str
    plain: bool
    kinds: tuple[str, ...]  # per slot: "m" (a handle), "tag" (a hashtag) or "text"
    names: tuple[str, ...]  # per slot: its name
    title: str | None
    body: str
    html: str
    tags: tuple[str, ...]  # hashtags written in the template itself
    tag_slots: tuple[int, ...]
    mention_slots: tuple[int, ...]
    options: tuple[str, ...] = ()
    checked: bool = False
    forms: tuple[dict[str, tuple[str, str]], ...] = ()  # per slot: the checked values of its kind
    constant: tuple[str | None, str, str] | None = None  # a template without slots, once checked


class _Renderer:
    """Renders templates once and fills them many times, checked against `markdown.render`."""

    def __init__(self, handles: set[str]) -> None:
        self.handles = handles
        self.templates: dict[tuple[str, str | None, bool], _Template] = {}
        # by kind of slot, the values already checked: value -> (escaped, escaped for a tag's URL)
        self.forms: dict[str, dict[str, tuple[str, str]]] = {"text": {}, "tag": {}, "m": {}}
        self.cache: dict[tuple[str, bool], markdown.Rendered] = {}
        self.probes = {
            kind: self.template(source, None, False)
            for kind, source in (("text", "a {x} b"), ("tag", "a #{tag} b"), ("m", "a @{m} b"))
        }

    def render(self, body: str, plain: bool) -> markdown.Rendered:
        """What the posts service would store for this text (cached by text)."""
        key = (body, plain)
        rendered = self.cache.get(key)
        if rendered is None:
            handles = self.handles
            rendered = markdown.render(body, known_handles=lambda c: c & handles, plain=plain)
            self.cache[key] = rendered
        return rendered

    def template(
        self, source: str, title: str | None, plain: bool, options: tuple[str, ...] = ()
    ) -> _Template:
        key = (source, title, plain)
        found = self.templates.get(key)
        if found is not None:
            return found
        names: list[str] = []
        for match in _SLOT.finditer(f"{title or ''}\n{source}"):
            if match.group(1) not in names:
                names.append(match.group(1))
        index = {name: n for n, name in enumerate(names)}
        placeholders = {name: f"zq{n}zq" for n, name in enumerate(names)}
        text = _SLOT.sub(lambda m: placeholders[m.group(1)], source)
        handle_slots = {placeholders["m"]} if "m" in placeholders else set()
        rendered = markdown.render(text, known_handles=lambda c: c & handle_slots, plain=plain)
        slot_of = {p: n for n, p in enumerate(placeholders.values())}
        tag_slots = tuple(slot_of[t] for t in rendered.tags if t in slot_of)
        html = rendered.html
        for n in tag_slots:
            html = html.replace(f'href="/tags/zq{n}zq"', f'href="/tags/zq{n}zqT"')
        pieces = _PLACEHOLDER.split(html)
        pattern = []
        for n in range(0, len(pieces), 3):
            pattern.append(pieces[n].replace("{", "{{").replace("}", "}}"))
            if n + 1 < len(pieces):
                pattern.append(f"{{{2 * int(pieces[n + 1]) + (1 if pieces[n + 2] else 0)}}}")
        kinds = tuple("m" if n == "m" else "tag" if n == "tag" else "text" for n in names)
        template = _Template(
            source=source,
            plain=plain,
            kinds=kinds,
            names=tuple(names),
            title=_format_source(title, index) if title is not None else None,
            body=_format_source(source, index),
            html="".join(pattern),
            tags=tuple(t for t in rendered.tags if t not in slot_of),
            tag_slots=tag_slots,
            mention_slots=tuple(slot_of[h] for h in rendered.mentions if h in slot_of),
            options=options,
            forms=tuple(self.forms[kind] for kind in kinds),
        )
        self.templates[key] = template
        return template

    def fill(self, template: _Template, values: list[str]) -> tuple[str | None, str, str]:
        """Title, body (markdown) and body_html of one post or comment."""
        if template.constant is not None:
            return template.constant
        escaped: list[str] = []
        for kind, forms, value in zip(template.kinds, template.forms, values, strict=True):
            form = forms.get(value)
            if form is None:
                form = self._form(kind, value)
            escaped += form
        title = template.title.format(*values) if template.title is not None else None
        body = template.body.format(*values)
        html = template.html.format(*escaped)
        if not template.checked:
            self._check(template, values, body, html)
            if not values:
                template.constant = (title, body, html)
        return title, body, html

    def _form(self, kind: str, value: str) -> tuple[str, str]:
        """A value as the renderer writes it in text (and in a tag's URL), checked once: it must read
        as itself wherever a slot of its kind stands."""
        # the sanitiser writes text with &, < and > escaped (quotes as they are) and no-break spaces named
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")
        form = self.forms[kind][value] = (text, quote(value.casefold()))
        _, body, html = self.fill(self.probes[kind], [value])
        handles = self.handles
        expected = markdown.render(body, known_handles=lambda c: c & handles).html
        if html != expected:
            del self.forms[kind][value]
            raise ValueError(
                f"demo value {value!r} does not render as plain {kind}: {html!r} != {expected!r}"
            )
        return form

    def _check(self, template: _Template, values: list[str], body: str, html: str) -> None:
        """The first post of each template is compared with the renderer's own output."""
        template.checked = True
        expected = self.render(body, template.plain)
        tags = {fold(t) for t in expected.tags}
        own = {fold(t) for t in template.tags} | {fold(values[n]) for n in template.tag_slots}
        mentions = [values[n] for n in template.mention_slots]
        if html != expected.html or tags != own or sorted(expected.mentions) != sorted(mentions):
            raise ValueError(f"demo template renders differently once filled: {template.source!r}")


class _TagBook:
    """Tags by spelling: the people's expertise tags, then those the posts bring (created on first use)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.by_key: dict[str, int] = {r["key"]: r["id"] for r in rows}
        self.by_spelling: dict[str, int] = {}
        self.next_id = max((r["id"] for r in rows), default=0) + 1
        self.new: list[tuple[Any, ...]] = []
        self.created = 0

    def id(self, raw: str, at: str) -> int:
        found = self.by_spelling.get(raw)
        if found is not None:
            return found
        name = normalize_tag(raw)
        key = fold(name)
        found = self.by_key.get(key)
        if found is None:
            found = self.next_id
            self.next_id += 1
            self.by_key[key] = found
            self.new.append((found, name, key, at))
            self.created += 1
        self.by_spelling[raw] = found
        return found


def _hashtag(tag: str) -> str | None:
    """The #hashtag form of an expertise tag, when it is a single word."""
    return tag if re.fullmatch(r"\w[\w-]*", tag) else None


def _words_for(tag: str) -> tuple[str, str]:
    return _TAG_WORDS.get(tag, (tag, tag))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pick(random: Callable[[], float], pool: list[int], k: int) -> list[int]:
    """About k different people from a pool: all of a small pool, else k draws (the rare repeats
    drop out later), which is much cheaper than `Random.sample`."""
    n = len(pool)
    if k >= n:
        return pool[:]
    if 4 * k > n:
        chosen = pool[:]
        for i in range(k):  # a partial shuffle
            j = i + int(random() * (n - i))
            chosen[i], chosen[j] = chosen[j], chosen[i]
        return chosen[:k]
    return [pool[int(random() * n)] for _ in range(k)]


# -- the life of the company: who is around, and when ------------------------------------------------------


class _Cast:
    """The people as their posts see them: arrays by id (index 0 unused), pools, and activity windows.

    Someone acts (posts, comments, reacts) only between `start` and `end`: from a little after they joined
    (or Proxima opened) until the reference instant, and only if they ever signed in. Their
    `first_seen_at` moves back to `start`, their `last_seen_at` forward to their latest action (written
    after the content); the demo logins were seen a few hours before the reference instant and joined
    the company long enough ago.
    """

    def __init__(self, rng: Random, company: Company) -> None:
        users = company.users
        size = len(users) + 1
        self.count = len(users)
        self.handle = [""] * size
        self.name = [""] * size
        self.site = [""] * size
        self.english = [False] * size
        self.department = [""] * size
        self.manager = [0] * size
        self.reports: list[list[int]] = [[] for _ in range(size)]
        self.start = [0] * size
        self.end = [-1] * size  # never signed in: never acts
        self.seen = [0] * size  # when they were last seen, as the people were generated
        self.latest = [0] * size  # their latest action in the generated content
        self.weight = [0.0] * size
        self.by_email = {u["email"]: u["id"] for u in users}
        self.fixed = {f.email.split("@")[0]: self.by_email[f.email] for f in _FIXED}
        roles: dict[str, set[int]] = {}
        for row in company.roles:
            roles.setdefault(row["role"], set()).add(row["user_id"])
        self.executives = sorted(roles.get(Role.executive.value, set()))
        community_managers = roles.get(Role.community_manager.value, set())
        fixed_ids = set(self.fixed.values())
        for u in users:
            uid = u["id"]
            self.handle[uid] = u["handle"]
            self.name[uid] = u["display_name"]
            self.site[uid] = u["site"]
            self.english[uid] = u["site"] == "London"
            self.department[uid] = u["department"] or ""
            if u["manager_id"]:
                self.manager[uid] = u["manager_id"]
                self.reports[u["manager_id"]].append(uid)
            if u["first_seen_at"] is None:
                continue
            if uid in fixed_ids:  # the demo logins: here for a while, seen this morning
                if u["created_at"] > REFERENCE - timedelta(days=600):
                    u["created_at"] = REFERENCE - timedelta(
                        days=600 + rng.randrange(120), hours=rng.randrange(24)
                    )
                seen = REFERENCE - timedelta(minutes=30 + rng.randrange(300))
                if u["last_seen_at"] < seen:
                    u["last_seen_at"] = u["updated_at"] = seen
            created, first, last = _secs(u["created_at"]), _secs(u["first_seen_at"]), _secs(u["last_seen_at"])
            start = min(max(created + _DAY, _SINCE) + rng.randrange(14 * _DAY), first)
            if start < first:
                u["first_seen_at"] = _moment(start)
            self.start[uid], self.end[uid], self.seen[uid] = start, _NOW, last
            weight = rng.lognormvariate(0, 0.8) * (0.15 if rng.random() < 0.3 else 1.0)
            if uid in community_managers:
                weight *= 3
            if uid in self.executives:
                weight *= 1.5
            if uid in fixed_ids:
                weight = max(weight, 1.0) * 4
            self.weight[uid] = weight
        self.active = [u["id"] for u in users if self.end[u["id"]] >= 0]
        self.active_cum = list(accumulate(self.weight[u] for u in self.active))
        self.local: dict[tuple[str, str], list[int]] = {}
        self.by_department: dict[str, list[int]] = {}
        self.by_site: dict[str, list[int]] = {}
        for uid in self.active:
            self.local.setdefault((self.department[uid], self.site[uid]), []).append(uid)
            self.by_department.setdefault(self.department[uid], []).append(uid)
            self.by_site.setdefault(self.site[uid], []).append(uid)
        self.community_managers = [u for u in self.active if u in community_managers]
        self.managers = [u for u in self.active if self.reports[u]]
        self.user_tags: dict[int, list[int]] = {}
        for row in company.user_tags:
            self.user_tags.setdefault(row["user_id"], []).append(row["tag_id"])

    def colleague(self, rng: Random, uid: int) -> int:
        """Someone who works with this person: their manager, a report, a teammate, a department colleague."""
        manager = self.manager[uid]
        draw = rng.random()
        if draw < 0.6:
            team = [*self.reports[uid], *(self.reports[manager] if manager else ())]
            if manager:
                team.append(manager)
            team = [u for u in team if u != uid and self.end[u] >= 0]
            if team:
                return rng.choice(team)
        pool = self.local.get((self.department[uid], self.site[uid])) or self.active
        if draw > 0.9:
            pool = self.active
        for _ in range(4):
            other = rng.choice(pool)
            if other != uid:
                return other
        return self.active[0] if self.active[0] != uid else self.active[-1]


@dataclass
class _Space:
    """A community being generated: its members, when they joined, who manages it, what it talks about."""

    id: int
    spec: _Spec
    name: str
    slug: str
    visibility: str
    topic: _Topic
    english: bool
    charter: str
    description: str
    created: int = 0
    members: list[int] = field(default_factory=list)
    joined: dict[int, int] = field(default_factory=dict)
    managers: list[int] = field(default_factory=list)
    cum: list[float] = field(default_factory=list)
    weight: float = 0.0


# -- the life of the company: communities -------------------------------------------------------------------

Sink = Callable[[str, tuple[str, ...], list[tuple[Any, ...]]], None]

COLUMNS: dict[str, tuple[str, ...]] = {
    "communities": (
        "id",
        "slug",
        "name",
        "search_name",
        "description",
        "charter",
        "charter_html",
        "visibility",
        "created_by_id",
        "created_at",
        "updated_at",
    ),
    "memberships": (
        "community_id",
        "user_id",
        "role",
        "status",
        "charter_accepted_at",
        "created_at",
        "joined_at",
    ),
    "tags": ("id", "name", "key", "created_at"),
    "posts": (
        "id",
        "kind",
        "author_id",
        "community_id",
        "title",
        "body",
        "body_html",
        "is_leadership",
        "praised_user_id",
        "accepted_comment_id",
        "like_count",
        "celebrate_count",
        "support_count",
        "insightful_count",
        "curious_count",
        "reaction_count",
        "comment_count",
        "answer_count",
        "created_at",
        "edited_at",
        "pinned_at",
    ),
    "post_tags": ("post_id", "tag_id", "created_at"),
    "comments": ("id", "post_id", "parent_id", "author_id", "body", "body_html", "created_at"),
    "mentions": ("id", "post_id", "comment_id", "user_id"),
    "reactions": ("post_id", "user_id", "kind", "created_at"),
    "events": ("post_id", "starts_at", "ends_at", "location", "online_url", "capacity"),
    "rsvps": ("post_id", "user_id", "status", "created_at"),
    "poll_options": ("id", "post_id", "position", "label"),
    "poll_votes": ("post_id", "user_id", "option_id", "created_at"),
    "tag_follows": ("user_id", "tag_id", "created_at"),
}
# Parents before children, within every batch of posts.
_WRITE_ORDER = (
    "tags",
    "posts",
    "post_tags",
    "comments",
    "mentions",
    "reactions",
    "events",
    "rsvps",
    "poll_options",
    "poll_votes",
)
_REACTIONS = ("like", "celebrate", "support", "insightful", "curious")
_REACTION_MIX = {  # like, celebrate, support, insightful, curious
    "status": (62, 8, 8, 14, 8),
    "question": (40, 3, 10, 25, 22),
    "article": (50, 8, 6, 30, 6),
    "event": (55, 20, 5, 5, 15),
    "praise": (35, 45, 12, 4, 4),
    "poll": (60, 5, 5, 10, 20),
}
_REACTION_TABLE = {
    kind: [r for r, share in enumerate(mix) for _ in range(share)] for kind, mix in _REACTION_MIX.items()
}
# log-normal medians (mu) of how many reactions and comments a post of each kind draws
_REACTION_MU = {
    "status": 0.72,
    "question": 0.52,
    "article": 1.06,
    "event": 0.82,
    "praise": 1.26,
    "poll": 0.72,
}
_COMMENT_MU = {
    "status": 0.02,
    "question": 0.72,
    "article": 0.37,
    "event": -0.08,
    "praise": 0.22,
    "poll": -0.18,
}
_CAPACITIES = (8, 10, 12, 15, 20, 25, 30, 40, 50, 80)
_COMMENT_GROUPS = {"question": "question", "praise": "praise", "event": "event", "poll": "poll"}
_SLUG_BAD = re.compile(r"[^a-z0-9]+")


class _Life:
    """Everything that happens in the demo company: communities, posts and what hangs on them."""

    def __init__(self, company: Company, size: str, *, postgresql: bool = False) -> None:
        self.size = size
        self.rng = Random(f"{SEED}:{size}:life")
        self.company = company
        self.cast = _Cast(self.rng, company)
        self.clock = _Clock(postgresql)
        self._days()
        # people post at their own pace over the time they are around: the longer, the more
        cast = self.cast
        cast.active_cum = list(
            accumulate(cast.weight[u] * self.span(cast.start[u], cast.end[u]) for u in cast.active)
        )
        self.renderer = _Renderer(set(self.cast.handle[1:]))
        self.tags = _TagBook(company.tags)
        self.spaces: list[_Space] = []
        self.pending: list[tuple[int, int, int]] = []  # community, person, when
        self.counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self._animator_list: list[int] | None = None
        self._template_cache: dict[tuple[str, str, str], tuple[list[_Template], list[_Template]]] = {}
        self._comment_templates = {
            lang: {
                group: [self.renderer.template(c, None, True) for c in texts]
                for group, texts in groups.items()
            }
            for lang, groups in _COMMENTS.items()
        }
        self.comment_id = self.mention_id = self.option_id = 0
        random = self.rng.random
        self.one: Callable[[Sequence[Any]], Any] = lambda seq: seq[int(random() * len(seq))]
        # how many reactions and comments posts draw: log-normal, drawn once into tables
        lognormal = self.rng.lognormvariate
        self._reaction_draws = {
            k: [int(lognormal(mu, 1.0)) for _ in range(4096)] for k, mu in _REACTION_MU.items()
        }
        self._vote_draws = [int(lognormal(2.0, 0.9)) for _ in range(4096)]
        self._comment_draws = {
            k: [int(lognormal(mu, 0.95)) for _ in range(4096)] for k, mu in _COMMENT_MU.items()
        }

    # -- time ------------------------------------------------------------------------------------------

    def _days(self) -> None:
        """Posting is denser lately, quiet at weekends, and follows office hours (UTC)."""
        rng = self.rng
        weights = [0.0] * (_NOW // _DAY + 1)
        first_weekday = _EPOCH.weekday()
        for day in range(_SINCE // _DAY, len(weights)):
            recent = 1 - (_NOW - day * _DAY) / (_NOW - _SINCE)  # 0 when Proxima opened, 1 today
            weight = 0.8 + 0.7 * recent
            if (first_weekday + day) % 7 >= 5:
                weight *= 0.12
            weights[day] = weight
        self.cum_days = [0.0, *accumulate(weights)]
        hours = [0, 0, 0, 0, 0, 1, 3, 8, 12, 14, 12, 9, 10, 12, 13, 11, 8, 5, 3, 2, 1, 1, 0, 0]
        self.office = [
            hour * 3600 + rng.randrange(3600) for hour in rng.choices(range(24), weights=hours, k=4096)
        ]

    def span(self, lo: int, hi: int) -> float:
        """How much posting happens between lo and hi (in days of average posting)."""
        cum = self.cum_days
        return cum[min(hi // _DAY + 1, len(cum) - 1)] - cum[min(lo // _DAY, len(cum) - 1)] + 0.01

    def when(self, lo: int, hi: int) -> int:
        """A moment between lo and hi, drawn from the posting density."""
        if hi <= lo:
            return lo
        rng = self.rng
        cum = self.cum_days
        day_lo, day_hi = lo // _DAY, min(hi // _DAY, len(cum) - 2)
        a, b = cum[day_lo], cum[day_hi + 1]
        if b <= a:
            return lo + rng.randrange(hi - lo)
        day = bisect_right(cum, a + rng.random() * (b - a)) - 1
        t = day * _DAY + self.office[rng.getrandbits(12)]
        if t < lo or t > hi:
            t = lo + rng.randrange(hi - lo)
        return t

    # -- communities -----------------------------------------------------------------------------------

    def build_communities(self) -> None:
        count = COMMUNITIES[self.size]
        specs = list(NAMED_COMMUNITIES[:count])
        if count > len(specs):
            specs += self._generated(count - len(specs), {s.name for s in specs})
            specs = self._visibilities(specs)
        slugs: set[str] = set()
        for n, spec in enumerate(specs, start=1):
            slug = base = _SLUG_BAD.sub("-", fold(spec.name)).strip("-")[:60] or "community"
            suffix = 2
            while slug in slugs:
                slug, suffix = f"{base}-{suffix}", suffix + 1
            slugs.add(slug)
            self.spaces.append(self._space(n, spec, slug))

    def _pool(self, spec: _Spec) -> list[int]:
        cast = self.cast
        if spec.people:
            return [u for u in spec.people if cast.end[u] >= 0]
        if spec.pool == "executives":
            return [u for u in cast.executives if cast.end[u] >= 0]
        if spec.pool == "managers":
            return list(cast.managers)
        departments, sites = set(spec.departments), set(spec.sites)
        return [
            u
            for u in cast.active
            if (not departments or cast.department[u] in departments) and (not sites or cast.site[u] in sites)
        ]

    def _space(self, number: int, spec: _Spec, slug: str) -> _Space:
        rng, cast = self.rng, self.cast
        base = _TOPICS[spec.topic]
        topic = _Topic(
            key=base.key,
            subjects=spec.subjects or base.subjects,
            subjects_en=spec.subjects_en or base.subjects_en,
            hashtags=spec.hashtags or base.hashtags,
            explicit=spec.explicit or base.explicit,
            fr=base.fr,
            en=base.en,
            own=base.own,
        )
        space = _Space(
            id=number,
            spec=spec,
            name=spec.name,
            slug=slug,
            visibility=spec.visibility,
            topic=topic,
            english=spec.english,
            charter=spec.charter,
            description=spec.description,
        )
        if spec.category != "named" and rng.random() < 0.25:
            space.charter = rng.choice(_CHARTERS["en" if spec.english else "fr"])
        pool = self._pool(spec)
        wanted = len(pool) if spec.people else max(3, round(spec.reach * len(pool)))
        chosen = pool[:] if wanted >= len(pool) else rng.sample(pool, wanted)
        if spec.category in ("named", "tag", "club") and spec.visibility == _PUBLIC and len(cast.active) > 10:
            chosen += rng.sample(cast.active, max(1, len(chosen) // 20))  # a few from elsewhere
        chosen += [cast.fixed[m] for m in (*spec.members, *spec.managers)]
        members = list(dict.fromkeys(chosen))
        if spec.category == "named":
            base_created = _SINCE + rng.randrange(5 * _DAY, 120 * _DAY)
        else:
            base_created = _SINCE + rng.randrange(10 * _DAY, 480 * _DAY)

        def early(people: list[int]) -> list[int]:  # who was around when the community opened
            return [u for u in people if cast.start[u] <= base_created] or people

        managers = [cast.fixed[m] for m in spec.managers]
        if not managers:
            if spec.people:
                managers.append(spec.people[0])
            elif spec.category in ("named", "tag", "club") and self._animators() and rng.random() < 0.65:
                managers.append(rng.choice(early(self._animators())))
            else:
                leads = [u for u in members if cast.reports[u]]
                managers.append(rng.choice(early(leads or members)))
        extra = rng.choices((0, 1, 2), weights=(55, 33, 12))[0]
        managers += rng.sample(members, min(extra, len(members)))
        managers = list(dict.fromkeys(managers))[:3]
        members = list(dict.fromkeys([*managers, *members]))
        creator = min(managers, key=cast.start.__getitem__)
        managers.remove(creator)
        managers.insert(0, creator)
        latest = min(cast.end[creator], _NOW - 10 * _DAY)
        created = min(
            max(base_created, cast.start[creator] + rng.randrange(_DAY)), max(latest, cast.start[creator])
        )
        space.created = created
        kept: list[int] = []
        for u in members:
            if u == creator:
                joined = created
            else:
                lo = max(created, cast.start[u]) + rng.randrange(600, 3600)
                joined = lo + int(rng.random() ** 3 * 90 * _DAY)
                if joined > cast.end[u]:
                    joined = lo + int((cast.end[u] - lo) * rng.random()) if cast.end[u] > lo else cast.end[u]
                if joined < lo - 3600:  # gone before the community opened
                    if u in managers:
                        managers.remove(u)
                    continue
            space.joined[u] = joined
            kept.append(u)
        space.members = kept
        space.managers = managers
        manager_set = set(managers)
        space.cum = list(
            accumulate(
                cast.weight[u] * (3 if u in manager_set else 1) * self.span(space.joined[u], cast.end[u])
                for u in kept
            )
        )
        factor = {"named": 1.6, "department": 1.0, "tag": 1.0, "club": 0.8, "project": 1.5, "team": 2.0}
        space.weight = (
            len(kept) ** 0.8
            * factor[spec.category]
            * (3 if spec.pool == "executives" else 1)
            * self.span(created, _NOW)
            / self.span(_SINCE, _NOW)
        )
        if spec.visibility == _PRIVATE:
            self._requests(space, spec.pending if spec.category == "named" else rng.choice((0, 0, 1, 2)))
        return space

    def _animators(self) -> list[int]:
        """The community managers who run communities (enough for each to run several)."""
        if self._animator_list is None:
            keep = max(3, COMMUNITIES[self.size] // 4)
            people = [u for u in self.cast.community_managers if u not in self.cast.fixed.values()]
            self._animator_list = people[:: max(1, len(people) // keep)][:keep]
        return self._animator_list

    def _requests(self, space: _Space, count: int) -> None:
        """A few people asked to join a private community and wait for a manager's answer."""
        rng, cast = self.rng, self.cast
        pool = self._pool(space.spec) or cast.active
        members = set(space.members)
        asked: set[int] = set()
        for _ in range(count * 20):
            if len(asked) >= count:
                break
            u = rng.choice(pool if rng.random() < 0.7 else cast.active)
            lo = max(_NOW - 14 * _DAY, cast.start[u], space.created)
            if u in members or u in asked or cast.end[u] < lo:
                continue
            asked.add(u)
            self.pending.append((space.id, u, self.when(lo, cast.end[u])))

    def _generated(self, count: int, taken: set[str]) -> list[_Spec]:
        """Communities beyond the named ones: departments by site, expertise, clubs, projects, teams."""
        rng, cast = self.rng, self.cast
        taken = {fold(name) for name in taken}
        departments: list[_Spec] = []
        for d in DEPARTMENTS:
            for site, _share in d.sites:
                english = site == "London"
                about = (
                    f"The space for the {d.name} teams in London: news, help and team life."
                    if english
                    else f"L'espace des équipes {d.name_fr} de {site} : actualités, entraide et vie d'équipe."
                )
                departments.append(
                    _Spec(
                        f"{d.name if english else d.name_fr} – {site}",
                        _PUBLIC,
                        _DEPARTMENT_TOPICS[d.name],
                        about,
                        departments=(d.name,),
                        sites=(site,),
                        reach=rng.uniform(0.25, 0.55),
                        english=english,
                        category="department",
                    )
                )
        expertise: list[_Spec] = []
        for d in DEPARTMENTS:
            for tag in d.tags:
                fr, en = _words_for(tag)
                hashtag = _hashtag(tag) or _DEPARTMENT_HASHTAGS[d.name]
                for place in (None, *(s for s, _ in d.sites)):
                    english = place == "London"
                    name = (
                        f"{_capital(en)} – London"
                        if english
                        else f"{_capital(fr)} – {place}"
                        if place
                        else f"Communauté {fr}"
                    )
                    where = f" Pour les équipes de {place}." if place and not english else ""
                    expertise.append(
                        _Spec(
                            name,
                            _PUBLIC,
                            _DEPARTMENT_TOPICS[d.name],
                            f"Questions, tips and good practice on {en}."
                            if english
                            else f"Questions, astuces et bonnes pratiques autour du sujet {fr}.{where}",
                            departments=(d.name,),
                            sites=(place,) if place else (),
                            reach=0.03 + 0.3 * rng.random() ** 3,
                            english=english,
                            category="tag",
                            subjects=(fr,),
                            subjects_en=(en,),
                            hashtags=(hashtag,),
                            explicit=(tag,),
                        )
                    )
        clubs: list[_Spec] = []
        for tag in CROSS_TAGS:
            fr, en = _words_for(tag)
            for place in (None, *SITES):
                english = place == "London"
                at = f" à {place}" if place else ""
                clubs.append(
                    _Spec(
                        f"{_capital(en)} – London"
                        if english
                        else f"{_capital(fr)} – {place}"
                        if place
                        else f"Club {fr}",
                        _PUBLIC,
                        _CROSS_TOPICS.get(tag, "club"),
                        f"Proxima's {en} club in London: meetups, tips and good company."
                        if english
                        else f"Le club {fr} de Proxima{at} : rencontres, conseils et bonne humeur.",
                        sites=(place,) if place else (),
                        reach=0.01 + 0.08 * rng.random() ** 2,
                        english=english,
                        category="club",
                        subjects=(fr,),
                        subjects_en=(en,),
                        hashtags=(_hashtag(tag) or "club",),
                        explicit=(tag,),
                    )
                )
        projects: list[_Spec] = []
        for codename in _CODENAMES:
            english = rng.random() < 0.2
            chosen = rng.sample([d.name for d in DEPARTMENTS], rng.choice((1, 1, 2)))
            pool = sum(len(cast.by_department.get(d, ())) for d in chosen)
            projects.append(
                _Spec(
                    f"Project {codename}" if english else f"Projet {codename}",
                    _PUBLIC,
                    "projet",
                    f"Workspace of Project {codename}: planning, workshops and decisions."
                    if english
                    else f"L'espace de travail du projet {codename} : planning, ateliers et décisions.",
                    departments=tuple(chosen),
                    reach=min(1.0, rng.randint(6, 40) / max(1, pool)),
                    english=english,
                    category="project",
                    subjects=(f"projet {codename}",),
                    subjects_en=(f"Project {codename}",),
                    hashtags=(fold(codename).replace(" ", ""), "projet"),
                )
            )
        teams: list[_Spec] = []
        for boss in cast.managers:
            reports = [u for u in cast.reports[boss] if cast.end[u] >= 0]
            if len(reports) < 3 or any(cast.reports[u] for u in reports):
                continue
            english = cast.english[boss]
            dept_topic = _TOPICS[_DEPARTMENT_TOPICS.get(cast.department[boss], "vie")]
            name = cast.name[boss]
            teams.append(
                _Spec(
                    f"{name}'s team" if english else f"Équipe de {name}",
                    _PUBLIC,
                    "team",
                    f"{name}'s team space: organisation, news and mutual help."
                    if english
                    else f"L'espace de l'équipe de {name} : organisation, actualités et entraide.",
                    english=english,
                    category="team",
                    subjects=dept_topic.subjects,
                    subjects_en=dept_topic.subjects_en,
                    hashtags=("équipe",),
                    people=(boss, *reports),
                )
            )
        for group in (expertise, clubs, projects, teams):
            rng.shuffle(group)
        pattern = list("BBBBBBBBEEEEEECCCDDD")
        rng.shuffle(pattern)
        groups = {"B": expertise, "C": clubs, "D": projects, "E": teams}
        chosen_specs: list[_Spec] = []

        def take(spec: _Spec) -> None:
            key = fold(spec.name)
            if key not in taken and len(chosen_specs) < count:
                taken.add(key)
                chosen_specs.append(spec)

        for spec in departments:
            take(spec)
        step = 0
        while len(chosen_specs) < count and any(groups.values()):
            group = groups[pattern[step % len(pattern)]]
            step += 1
            if group:
                take(group.pop())
        return chosen_specs

    def _visibilities(self, specs: list[_Spec]) -> list[_Spec]:
        """About 20% private and 5% secret: projects and teams close first."""
        rng = self.rng
        secret_left = max(0, round(0.05 * len(specs)) - sum(s.visibility == _SECRET for s in specs))
        private_left = max(0, round(0.2 * len(specs)) - sum(s.visibility == _PRIVATE for s in specs))
        generated = [n for n, s in enumerate(specs) if s.category != "named"]
        secrecy = {"project": 2.0, "team": 0.6}
        privacy = {"team": 1.5, "project": 1.0, "tag": 0.3, "club": 0.2, "department": 0.1}
        by_secrecy = sorted(generated, key=lambda n: -(secrecy.get(specs[n].category, 0.0) + rng.random()))
        secret = set(by_secrecy[:secret_left])
        rest = [n for n in generated if n not in secret]
        by_privacy = sorted(rest, key=lambda n: -(privacy.get(specs[n].category, 0.0) + rng.random()))
        private = set(by_privacy[:private_left])
        return [
            replace(s, visibility=_SECRET if n in secret else _PRIVATE if n in private else s.visibility)
            for n, s in enumerate(specs)
        ]

    # -- posts -----------------------------------------------------------------------------------------

    def plan(self) -> None:
        """Who posts, where, when and what kind of post; ordered by time so that ids follow time."""
        rng, cast, spaces = self.rng, self.cast, self.spaces
        times: list[int] = []
        authors: list[int] = []
        where: list[int] = []  # a community's index in self.spaces, -1 company-wide
        kinds: list[str] = []
        self.specials: dict[int, tuple[str, int]] = {}  # plan index -> what to write

        def add(t: int, author: int, space: int, kind: str, special: tuple[str, int] | None = None) -> int:
            if special is not None:
                self.specials[len(times)] = special
            times.append(t)
            authors.append(author)
            where.append(space)
            kinds.append(kind)
            return len(times) - 1

        welcome = [
            add(space.created + rng.randrange(600, 3 * 3600), space.managers[0], n, "article", ("welcome", n))
            for n, space in enumerate(spaces)
        ]
        ceo = cast.fixed[_SOPHIE]
        for n, (days, kind, _title, _body) in enumerate(_CEO_POSTS):
            add(_NOW - int(days * _DAY) - rng.randrange(600, 3600), ceo, -1, kind, ("ceo", n))
        for head in cast.executives:
            if head != ceo and cast.end[head] >= 0:
                for n in range(3):
                    t = self.when(cast.start[head], cast.end[head])
                    add(t, head, -1, _LEADERSHIP["fr"][n % 2][0], ("leader", n % 2))
        for uid in cast.fixed.values():  # the demo logins have posted lately, of every kind
            if uid == ceo:
                continue
            theirs = [n for n, space in enumerate(spaces) if uid in space.joined]
            for n, kind in enumerate(("status", "question", "article", "status", "event", "praise", "poll")):
                at = -1 if n % 3 == 0 or not theirs else theirs[n % len(theirs)]
                lo = max(cast.start[uid], _NOW - 120 * _DAY, spaces[at].joined[uid] if at >= 0 else 0)
                add(self.when(lo, cast.end[uid]), uid, at, kind)
        left = max(0, POSTS[self.size] - len(times))
        drawn = rng.choices(list(KIND_MIX), weights=list(KIND_MIX.values()), k=left)
        company_wide = round(left * _COMPANY_WIDE)
        for author, kind in zip(
            rng.choices(cast.active, cum_weights=cast.active_cum, k=company_wide),
            drawn[:company_wide],
            strict=True,
        ):
            add(self.when(cast.start[author], cast.end[author]), author, -1, kind)
        picks = rng.choices(
            range(len(spaces)), cum_weights=list(accumulate(s.weight for s in spaces)), k=left - company_wide
        )
        per_space = [0] * len(spaces)
        for n in picks:
            per_space[n] += 1
        kind_of = iter(drawn[company_wide:])
        for n, space in enumerate(spaces):
            for m in rng.choices(range(len(space.members)), cum_weights=space.cum, k=per_space[n]):
                author = space.members[m]
                add(self.when(space.joined[author], cast.end[author]), author, n, next(kind_of))
        self.times, self.authors, self.where, self.kinds = times, authors, where, kinds
        self.order = sorted(range(len(times)), key=times.__getitem__)
        # a few pinned posts per community: its welcome post often, an article or an event sometimes
        pinnable: dict[int, list[int]] = {}
        for n in range(len(times)):
            if where[n] >= 0 and kinds[n] in ("article", "event") and n not in self.specials:
                pinnable.setdefault(where[n], []).append(n)
        self.pinned: set[int] = set()
        for n in range(len(spaces)):
            pins = [welcome[n]] if rng.random() < 0.55 else []
            extra = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
            candidates = pinnable.get(n, [])
            pins += rng.sample(candidates, min(extra, len(candidates)))
            self.pinned.update(pins[:3])

    def _templates(self, topic: _Topic, lang: str, kind: str) -> tuple[list[_Template], list[_Template]]:
        """A topic's own templates of a kind, and the generic ones (rendered on first use)."""
        key = (topic.key, lang, kind)
        found = self._template_cache.get(key)
        if found is None:
            own = (topic.en if lang == "en" else topic.fr).get(kind, ())
            generic = (_GENERIC_EN if lang == "en" else _GENERIC_FR)[kind]
            found = ([self._compile(kind, e) for e in own], [self._compile(kind, e) for e in generic])
            self._template_cache[key] = found
        return found

    def _compile(self, kind: str, entry: Any) -> _Template:
        plain = kind in PLAIN_KINDS
        if kind in ("status", "praise"):
            return self.renderer.template(entry, None, plain)
        if kind == "poll":
            return self.renderer.template(entry[0], None, plain, tuple(entry[1]))
        return self.renderer.template(entry[1], entry[0], plain)

    def _topic_of(self, author: int) -> _Topic:
        """What a company-wide post talks about: its author's trade, the site, or a company-wide subject."""
        draw = self.rng.random()
        if draw < 0.5:
            return _TOPICS[_DEPARTMENT_TOPICS.get(self.cast.department[author], "vie")]
        if draw < 0.7:
            return _TOPICS["vie"]
        return _TOPICS[self.one(_WIDE_TOPICS)]

    def _someone(self, author: int, space: _Space | None) -> int:
        """A colleague to mention or praise: in a community, one of its members."""
        if space is not None and len(space.members) > 1:
            for _ in range(4):
                other = self.one(space.members)
                if other != author:
                    return other
        return self.cast.colleague(self.rng, author)

    def _values(
        self, template: _Template, author: int, space: _Space | None, topic: _Topic, lang: str, mention: int
    ) -> tuple[list[str], int]:
        """A template's slot values for this author, and who it mentions (0: nobody)."""
        one, cast = self.one, self.cast
        values: list[str] = []
        for name in template.names:
            if name == "topic":
                values.append(one(topic.subjects_en if lang == "en" else topic.subjects))
            elif name == "tag":
                values.append(one(topic.hashtags))
            elif name == "m":
                mention = mention or self._someone(author, space)
                values.append(cast.handle[mention])
            elif name == "site":
                values.append(cast.site[author])
            elif name == "day":
                values.append(one(_DAYS[lang]))
            elif name == "hour":
                values.append(one(_HOURS[lang]))
            elif name == "n":
                values.append(one(_NUMBERS))
            elif name == "room":
                values.append(one(_ROOMS[cast.site[author]]))
            elif name == "place":
                values.append(one(_PLACES[cast.site[author]]))
            elif name == "dept":
                department = _BY_NAME.get(cast.department[author])
                values.append(
                    "" if department is None else department.name if lang == "en" else department.name_fr
                )
            else:
                raise KeyError(name)
        return values, mention

    def _readers(self, k: int, author: int, space: _Space | None) -> list[int]:
        """Up to k people who may see the post and answer it (its community's members, or colleagues)."""
        if k <= 0:
            return []
        if space is not None:
            picked = _pick(self.rng.random, space.members, k + 1)
        else:
            cast = self.cast
            local = cast.local.get((cast.department[author], cast.site[author]), [])
            near = round(k * 0.6) + 1
            picked = _pick(self.rng.random, local, near) + _pick(self.rng.random, cast.active, k - near + 2)
        return [u for u in dict.fromkeys(picked) if u != author][:k]

    def write(self, sink: Sink) -> None:
        """Generate everything and hand the rows to `sink`, table by table, parents first."""
        if not self.spaces:
            self.build_communities()
        self._write_communities(sink)
        self.plan()
        self._write_posts(sink)
        self._write_tag_follows(sink)

    def last_seen(self) -> list[tuple[int, datetime]]:
        """Those whose latest action comes after they were last seen, with that moment (plus a little)."""
        cast = self.cast
        return [
            (u, _moment(min(_NOW, cast.latest[u] + 60)))
            for u in cast.active
            if cast.latest[u] + 60 > cast.seen[u] and cast.latest[u]
        ]

    def _write_communities(self, sink: Sink) -> None:
        clock, renderer = self.clock, self.renderer
        communities = [
            (
                s.id,
                s.slug,
                s.name,
                fold(s.name),
                s.description,
                s.charter,
                renderer.render(s.charter, False).html if s.charter else "",
                s.visibility,
                s.managers[0],
                clock(s.created),
                clock(s.created),
            )
            for s in self.spaces
        ]
        memberships: list[tuple[Any, ...]] = []
        latest = self.cast.latest
        for s in self.spaces:
            managers = set(s.managers)
            for u in s.members:
                latest[u] = max(latest[u], s.joined[u])
                joined = clock(s.joined[u])
                memberships.append(
                    (s.id, u, "manager" if u in managers else "member", "member", joined, joined, joined)
                )
        for community, u, t in self.pending:
            latest[u] = max(latest[u], t)
            memberships.append((community, u, "member", "pending", clock(t), clock(t), None))
        for table, rows in (("communities", communities), ("memberships", memberships)):
            for n in range(0, len(rows), _BATCH):
                sink(table, COLUMNS[table], rows[n : n + _BATCH])
            self.counts[table] += len(rows)

    def _write_tag_follows(self, sink: Sink) -> None:
        """Some people follow hashtags (Camille follows a few): their posts come to the home feed."""
        rng, cast, tags, clock = self.rng, self.cast, self.tags, self.clock
        camille = cast.fixed[_CAMILLE]
        rows: list[tuple[Any, ...]] = []
        for u in cast.active:
            if u == camille:
                followed = [tags.id(t, clock(_NOW - 300 * _DAY)) for t in ("python", "covoiturage", "rse")]
            elif rng.random() < 0.12:
                own = cast.user_tags.get(u, [])
                followed = rng.sample(own, min(len(own), rng.choice((1, 1, 2))))
                if rng.random() < 0.4 or not followed:
                    followed.append(tags.id(rng.choice(_POPULAR_HASHTAGS), clock(_SINCE)))
            else:
                continue
            for tag in dict.fromkeys(followed):
                moment = self.when(cast.start[u], cast.end[u])
                rows.append((u, tag, clock(moment)))
                cast.latest[u] = max(cast.latest[u], moment)
        if tags.new:
            sink("tags", COLUMNS["tags"], tags.new)
            self.counts["tags"] += len(tags.new)
            tags.new = []
        for n in range(0, len(rows), _BATCH):
            sink("tag_follows", COLUMNS["tag_follows"], rows[n : n + _BATCH])
        self.counts["tag_follows"] += len(rows)

    def _write_posts(self, sink: Sink) -> None:
        """Posts in time order, each with its tags, mentions, comments, reactions, event or poll."""
        rng, cast, clock, tags, renderer = self.rng, self.cast, self.clock, self.tags, self.renderer
        random, one, getrandbits = rng.random, self.one, rng.getrandbits
        reaction_draws, comment_draws = self._reaction_draws, self._comment_draws
        spelled = tags.by_spelling
        days, seconds = clock.days, clock.seconds
        start, end, english, latest = cast.start, cast.end, cast.english, cast.latest
        local, active, department, site = cast.local, cast.active, cast.department, cast.site
        rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _WRITE_ORDER}
        times, authors, where, kinds, specials = (
            self.times,
            self.authors,
            self.where,
            self.kinds,
            self.specials,
        )
        spaces, pinned = self.spaces, self.pinned
        reaction_names = _REACTIONS
        everyone = len(cast.active)
        for pid, n in enumerate(self.order, start=1):
            t, author, kind = times[n], authors[n], kinds[n]
            space = spaces[where[n]] if where[n] >= 0 else None
            stamp = days[t // _DAY] + seconds[t % _DAY]
            if t > latest[author]:
                latest[author] = t
            lang = (
                "en" if english[author] or (space is not None and space.english and random() < 0.6) else "fr"
            )
            special = specials.get(n)
            leadership = special is not None and special[0] in ("ceo", "leader")
            praised = mention = 0
            options: tuple[str, ...] = ()
            starts: int | None = None
            in_person = False
            if special is None:
                topic = space.topic if space is not None else self._topic_of(author)
                own, generic = self._templates(topic, lang, kind)
                template = one(own if own and random() < topic.own else generic)
                if kind == "praise":
                    praised = self._someone(author, space)
                values, mention = self._values(template, author, space, topic, lang, praised)
                title, body, html = renderer.fill(template, values)
                if title:
                    title = title[:1].upper() + title[1:]
                found = [*template.tags, *(values[k] for k in template.tag_slots)]
                if not template.mention_slots:
                    mention = 0
                options = template.options
                in_person = "site" in template.names
                if topic.explicit and random() < 0.15:
                    found.append(one(topic.explicit))
            else:
                topic, title, body, html, found, options, starts = self._special(special, author, lang, t)
            tag_ids = dict.fromkeys([spelled.get(name) or tags.id(name, stamp) for name in found])
            if tags.new:
                rows["tags"] += tags.new
                tags.new = []
            rows["post_tags"] += [(pid, tag, stamp) for tag in tag_ids]
            if mention:
                self.mention_id += 1
                rows["mentions"].append((self.mention_id, pid, None, mention))
            if kind == "event":
                self._event(pid, t, author, space, rows, starts, in_person, leadership)
            elif kind == "poll":
                self._poll(pid, t, author, space, options, rows)
            if leadership:
                wanted = int(rng.lognormvariate(_COMMENT_MU[kind] + 1.5, 0.95))
            else:
                wanted = comment_draws[kind][getrandbits(12)]
            comments, answers, accepted = 0, 0, None
            if wanted:
                comments, answers, accepted = self._comments(
                    pid, t, author, kind, space, topic, praised, wanted, rows
                )
            # reactions: most posts draw a few, some many, leadership posts a crowd
            if leadership:
                wanted = int(everyone * rng.uniform(0.08, 0.3))
            else:
                wanted = reaction_draws[kind][getrandbits(12)]
            counts = [0, 0, 0, 0, 0]
            if wanted:
                joined = space.joined if space is not None else None
                if wanted > 40:
                    people = self._readers(wanted, author, space)
                else:  # a few draws among the readers (repeats drop out): cheaper than sampling
                    if space is not None:
                        pool = space.members
                        picks = [pool[int(random() * len(pool))] for _ in range(wanted)]
                    else:
                        near = local.get((department[author], site[author])) or active
                        n_near, n_all = len(near), len(active)
                        picks = [
                            near[int(random() * n_near)] if random() < 0.6 else active[int(random() * n_all)]
                            for _ in range(wanted)
                        ]
                    people = [u for u in dict.fromkeys(picks) if u != author]
                reactions = rows["reactions"]
                table = _REACTION_TABLE[kind]
                for u in people:
                    lo = start[u]
                    if lo < t:
                        lo = t
                    if joined is not None and joined[u] > lo:
                        lo = joined[u]
                    hi = end[u]
                    if lo > hi:
                        continue
                    moment = lo - int(log(1.0 - random()) * 28_800)  # hours later, mostly
                    if moment > hi:
                        moment = lo + int((hi - lo) * random())
                    r = table[int(random() * 100)]
                    reactions.append(
                        (pid, u, reaction_names[r], days[moment // _DAY] + seconds[moment % _DAY])
                    )
                    if moment > latest[u]:
                        latest[u] = moment
                    counts[r] += 1
            edited = clock(min(_NOW, t + rng.randrange(120, 2 * _DAY))) if random() < 0.04 else None
            pin = clock(min(_NOW, t + rng.randrange(3600, 3 * _DAY))) if n in pinned else None
            rows["posts"].append(
                (
                    pid,
                    kind,
                    author,
                    space.id if space is not None else None,
                    title,
                    body,
                    html,
                    leadership,
                    praised or None,
                    accepted,
                    *counts,
                    sum(counts),
                    comments,
                    answers,
                    stamp,
                    edited,
                    pin,
                )
            )
            if pid % _CHUNK == 0:
                self._flush(sink, rows)
        self._flush(sink, rows)

    def _flush(self, sink: Sink, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        for table in _WRITE_ORDER:
            batch = rows[table]
            if batch:
                sink(table, COLUMNS[table], batch)
                self.counts[table] += len(batch)
                rows[table] = []

    def _special(
        self, special: tuple[str, int], author: int, lang: str, t: int
    ) -> tuple[_Topic, str | None, str, str, list[str], tuple[str, ...], int | None]:
        """The hand-written posts: welcome posts, the chief executive's, the other executives'."""
        what, n = special
        renderer = self.renderer
        title: str | None
        options: tuple[str, ...] = ()
        starts = None
        if what == "welcome":
            space = self.spaces[n]
            topic = space.topic
            hashtag = topic.hashtags[0]
            if space.english:
                title = f"Welcome to {space.name}!"
                body = (
                    f"{space.description}\n\n## How to take part\n\n- introduce yourself in a comment\n"
                    f"- ask your questions, even the simplest ones\n- share what you find with #{hashtag}\n\n"
                    + ("Please read the community charter before posting. " if space.charter else "")
                    + "Enjoy!"
                )
            else:
                title = f"Bienvenue dans la communauté {space.name} !"
                body = (
                    f"{space.description}\n\n## Comment participer\n\n- présentez-vous en commentaire\n"
                    f"- posez vos questions, même les plus simples\n- partagez vos trouvailles avec "
                    f"#{hashtag}\n\n"
                    + ("Merci de lire la charte de la communauté avant de publier. " if space.charter else "")
                    + "Bonne découverte !"
                )
            rendered = renderer.render(body, False)
            return topic, title, body, rendered.html, list(rendered.tags), options, starts
        if what == "ceo":
            _days, kind, title, body = _CEO_POSTS[n]
            rendered = renderer.render(body, kind in PLAIN_KINDS)
            if kind == "poll":
                options = _CEO_POLL
            if kind == "event":
                starts = t + (16 if _days > 100 else 33) * _DAY
                starts = starts // _DAY * _DAY + 9 * 3600
            return _TOPICS["vie"], title, body, rendered.html, list(rendered.tags), options, starts
        kind, title_source, source = _LEADERSHIP[lang][n]
        template = renderer.template(source, title_source, kind in PLAIN_KINDS)
        values, _ = self._values(template, author, None, _TOPICS["vie"], lang, 0)
        title, body, html = renderer.fill(template, values)
        return _TOPICS["vie"], title, body, html, [*template.tags], options, starts

    def _window(self, u: int, t: int, joined: dict[int, int] | None) -> tuple[int, int]:
        """When person u may answer something posted at t: from then until they were last seen."""
        lo = max(t, self.cast.start[u], joined[u] if joined is not None else 0)
        return lo, self.cast.end[u]

    def _comments(
        self,
        pid: int,
        t: int,
        author: int,
        kind: str,
        space: _Space | None,
        topic: _Topic,
        praised: int,
        wanted: int,
        rows: dict[str, list[tuple[Any, ...]]],
    ) -> tuple[int, int, int | None]:
        """A post's comments, a few of them replies; a question's answers, one of them often accepted.
        Returns how many comments, how many of them are not replies, and the accepted answer."""
        rng, cast, renderer = self.rng, self.cast, self.renderer
        random = rng.random
        joined = space.joined if space is not None else None
        start, end, latest, english = cast.start, cast.end, cast.latest, cast.english
        days, seconds = self.clock.days, self.clock.seconds
        timed: list[tuple[int, int]] = []
        for u in self._readers(wanted, author, space):
            lo = start[u]
            if lo < t:
                lo = t
            if joined is not None and joined[u] > lo:
                lo = joined[u]
            hi = end[u]
            if lo <= hi:
                moment = lo - int(log(1.0 - random()) * 43_200)  # within a day or so, mostly
                timed.append((moment if moment <= hi else lo + int((hi - lo) * random()), u))
        timed.sort()
        group = _COMMENT_GROUPS.get(kind, "any")
        top: list[tuple[int, int, int]] = []  # id, author, when
        comments, mentions = rows["comments"], rows["mentions"]
        templates = self._comment_templates

        def comment(u: int, moment: int, parent: tuple[int, int, int] | None) -> tuple[int, int, int]:
            lang = "en" if english[u] else "fr"
            if parent is not None:
                choices = templates[lang]["reply"]
                mention = parent[1]
            else:
                choices = templates[lang][group]
                mention = praised or (0 if group == "question" else author)  # 0: a colleague, if need be
            template = choices[int(random() * len(choices))]
            values, mention = self._values(template, u, space, topic, lang, mention)
            _, body, html = renderer.fill(template, values)
            self.comment_id += 1
            comments.append(
                (
                    self.comment_id,
                    pid,
                    parent[0] if parent else None,
                    u,
                    body,
                    html,
                    days[moment // _DAY] + seconds[moment % _DAY],
                )
            )
            if moment > latest[u]:
                latest[u] = moment
            if template.mention_slots:
                self.mention_id += 1
                mentions.append((self.mention_id, pid, self.comment_id, mention))
            return self.comment_id, u, moment

        for moment, u in timed:
            parent = top[int(random() * len(top))] if top and random() < 0.15 else None
            if parent is not None and parent[1] == u:
                parent = None
            made = comment(u, moment, parent)
            if parent is None:
                top.append(made)
        written = len(timed)
        accepted = None
        if kind == "question":
            answers = [c for c in top if c[1] != author]
            if answers and random() < 0.62:
                accepted = rng.choice(answers)[0]
            if answers and random() < 0.4:  # the author thanks someone who answered
                answer = rng.choice(answers)
                lo, hi = self._window(author, answer[2], joined)
                if lo <= hi:
                    comment(author, lo + int((hi - lo) * random() ** 4), answer)
                    written += 1
        return written, len(top), accepted

    def _event(
        self,
        pid: int,
        t: int,
        author: int,
        space: _Space | None,
        rows: dict[str, list[tuple[Any, ...]]],
        starts: int | None,
        in_person: bool,
        crowd: bool,
    ) -> None:
        """The event's time and place, and who answered: going up to its capacity, then waiting."""
        rng, cast, clock = self.rng, self.cast, self.clock
        if starts is None:
            day = t // _DAY + rng.randint(3, 45)
            starts = day * _DAY + rng.choice((7, 8, 9, 11, 12, 13, 15, 16)) * 3600 + rng.choice((0, 1800))
        weekday = (_EPOCH.weekday() + starts // _DAY) % 7
        if weekday >= 5:  # on a working day
            starts += (7 - weekday) * _DAY
        ends = starts + rng.choice((3600, 5400, 7200, 10_800))
        online = not in_person and not crowd and rng.random() < 0.3
        if online:
            location, url = _ONLINE, f"https://visio.proxima.example/r/{pid}"
        elif crowd:  # the whole company: the auditorium, streamed to the other sites
            location, url = f"{cast.site[author]} – auditorium", f"https://visio.proxima.example/r/{pid}"
        else:
            site = cast.site[author] if rng.random() < 0.85 else rng.choice(SITES)
            location, url = rng.choice(_EVENT_ROOMS[site]), None
        capacity = (
            rng.choice(_CAPACITIES) if not crowd and rng.random() < (0.15 if online else 0.45) else None
        )
        rows["events"].append((pid, clock(starts), clock(ends), location, url, capacity))
        if crowd:
            wanted = int(len(cast.active) * rng.uniform(0.05, 0.15))
        elif capacity is not None:
            wanted = int(capacity * rng.uniform(0.4, 1.5))
        else:
            wanted = int(rng.lognormvariate(1.9, 0.8))
        joined = space.joined if space is not None else None
        start, end, latest, random = cast.start, cast.end, cast.latest, rng.random
        answers = [(t, author)]
        for u in self._readers(wanted, author, space):
            lo = start[u]
            if lo < t:
                lo = t
            if joined is not None and joined[u] > lo:
                lo = joined[u]
            hi = min(end[u], starts - 600)
            if lo <= hi:
                answers.append((lo + int((hi - lo) * random() ** 2), u))  # early, mostly
        answers.sort()
        rsvps = rows["rsvps"]
        days, seconds = clock.days, clock.seconds
        for n, (moment, u) in enumerate(answers):
            going = capacity is None or n < capacity
            rsvps.append(
                (pid, u, "going" if going else "waitlist", days[moment // _DAY] + seconds[moment % _DAY])
            )
            if moment > latest[u]:
                latest[u] = moment

    def _poll(
        self,
        pid: int,
        t: int,
        author: int,
        space: _Space | None,
        options: tuple[str, ...],
        rows: dict[str, list[tuple[Any, ...]]],
    ) -> None:
        """The poll's options, and one vote per voter."""
        rng, clock = self.rng, self.clock
        ids = []
        for position, label in enumerate(options):
            self.option_id += 1
            ids.append(self.option_id)
            rows["poll_options"].append((self.option_id, pid, position, label))
        cum = list(accumulate(rng.random() ** 1.5 + 0.05 for _ in ids))
        total = cum[-1]
        joined = space.joined if space is not None else None
        votes = rows["poll_votes"]
        cast, random = self.cast, rng.random
        start, end, latest = cast.start, cast.end, cast.latest
        days, seconds = clock.days, clock.seconds
        for u in self._readers(self._vote_draws[rng.getrandbits(12)], author, space):
            lo = start[u]
            if lo < t:
                lo = t
            if joined is not None and joined[u] > lo:
                lo = joined[u]
            hi = end[u]
            if lo <= hi:
                moment = lo - int(log(1.0 - random()) * 43_200)
                if moment > hi:
                    moment = lo + int((hi - lo) * random())
                option = ids[bisect_right(cum, random() * total)]
                votes.append((pid, u, option, days[moment // _DAY] + seconds[moment % _DAY]))
                if moment > latest[u]:
                    latest[u] = moment


_WIDE_TOPICS = (
    "onboarding",
    "rse",
    "digital",
    "mentorat",
    "excel",
    "data",
    "management",
    "securite",
    "sport",
    "photo",
)
_POPULAR_HASHTAGS = ("digitalday", "rse", "onboarding", "covoiturage", "python", "excel", "cybersécurité")


def _delegation(db: Session) -> int:
    """Sophie Bernard (CEO) has named Léa Garcia (internal communications) as her delegate and now
    approves her drafts: a few of Sophie's posts were published by Léa, one draft waits for approval,
    and colleagues opened her leadership posts (the reach on her leadership page). Deterministic and
    cheap: a handful of rows, and one set-based insert of reads. Returns the posts added (the draft)."""
    from sqlalchemy import select

    from app.models import AuditEntry, Delegate, DelegationSettings, DraftStatus, Post, PostDraft
    from app.services import notifications

    sophie = db.scalar(select(User).where(User.email == _CEO.email))
    lea = db.scalar(select(User).where(User.email == f"lea.garcia@{DOMAIN}"))
    if sophie is None or lea is None:
        return 0
    named = REFERENCE - timedelta(days=75)
    db.add(Delegate(executive_id=sophie.id, delegate_id=lea.id, created_at=named))
    db.add(
        DelegationSettings(
            executive_id=sophie.id, approval_required=True, updated_at=REFERENCE - timedelta(days=6)
        )
    )
    details = {"executive": sophie.display_name, "delegate": lea.display_name}
    db.add(
        AuditEntry(
            actor_id=sophie.id, action="delegate_added", target_id=lea.id, detail=details, created_at=named
        )
    )
    recent = list(
        db.scalars(
            select(Post.id)
            .where(
                Post.author_id == sophie.id,
                Post.created_at > named,
                Post.created_at < REFERENCE - timedelta(days=6),
            )
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(8)
        )
    )
    leading = db.scalars(
        select(Post.id)
        .where(Post.author_id == sophie.id, Post.is_leadership.is_(True), Post.created_at > named)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(2)
    ).all()
    # every other one of her latest posts, and her last-but-one leadership post, were published by Léa
    for post_id in {*recent[1::2], *leading[1:]}:
        db.execute(update(Post).where(Post.id == post_id).values(posted_by_id=lea.id))
    db.add(
        AuditEntry(
            actor_id=sophie.id,
            action="delegation_mode_changed",
            target_id=sophie.id,
            detail={"executive": sophie.display_name, "mode": "approval"},
            created_at=REFERENCE - timedelta(days=6),
        )
    )
    body = (
        "Merci à toutes les équipes pour ce trimestre : nos clients le disent, et les chiffres aussi. "
        "Rendez-vous jeudi pour la réunion plénière."
    )
    drafted = REFERENCE - timedelta(hours=3)
    draft = Post(
        kind="status",
        author_id=sophie.id,
        posted_by_id=lea.id,
        is_draft=True,
        is_leadership=True,
        body=body,
        body_html=markdown.render(body, known_handles=lambda _c: set(), plain=True).html,
        created_at=drafted,
    )
    db.add(draft)
    db.flush()
    db.add(
        PostDraft(
            post_id=draft.id,
            executive_id=sophie.id,
            delegate_id=lea.id,
            status=DraftStatus.pending.value,
            submitted_at=drafted,
        )
    )
    db.add(
        AuditEntry(
            actor_id=lea.id,
            action="delegate_draft_created",
            target_id=sophie.id,
            detail={**details, "post_id": draft.id},
            created_at=drafted,
        )
    )
    notifications.notify(
        db,
        recipient_id=sophie.id,
        type="delegate_draft",
        key=f"delegate_draft:{draft.id}",
        url="/leadership#drafts",
        actor_id=lea.id,
        params={"title": notifications.post_title(draft), "change": "submitted"},
        at=drafted,
    )
    # about one colleague in five who had signed in opened each leadership post, on its day
    db.execute(
        text(
            "INSERT INTO post_reads (post_id, user_id, day) "
            "SELECT p.id, u.id, DATE(p.created_at) FROM posts p JOIN users u ON u.first_seen_at IS NOT NULL "
            "WHERE p.author_id = :sophie AND p.is_leadership AND NOT p.is_draft AND p.removed_at IS NULL "
            "AND u.id NOT IN (:sophie, :lea) AND (u.id * 7 + p.id) % 5 = 0"
        ),
        {"sophie": sophie.id, "lea": lea.id},
    )
    db.flush()
    return 1

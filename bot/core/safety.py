r"""Danger signals in free text (Dutch and English), and where to find help.

Theory of operation
-------------------
``assess`` answers one question about a message typed into a fight-helper chat: does it
carry a sign that someone is in danger? Two levels come out of it:

* ``CLEAR``    unambiguous danger (violence, threats, weapons, fear of the partner, coercive
  control, sexual coercion, self-harm/suicide, children at risk): go to the safety screen.
* ``POSSIBLE`` an ambiguous sign ("I'm scared", "ik kan niet meer", "hij werd handtastelijk"):
  ask privately whether the person is safe right now.

Pipeline (all pure, all regexes compiled at import):

1. ``normalise``: casefold, strip accents, straighten curly quotes, squash 3+ repeated letters,
   collapse whitespace. Safe to reuse elsewhere.
2. A matching *skeleton*: apostrophes dropped ("don't" -> "dont", "m'n" -> "mn"), sentence
   punctuation turned into a ``|`` boundary token, anything else non-alphanumeric into a space,
   and every run of a repeated letter squashed to ONE letter ("kill" -> "kil", "slaaat" ->
   "slat", "dood" -> "dod"). The rule patterns below are written in ordinary spelling and get the
   same squashing when compiled, so "kil myself", "kiiill myself" and "kill myself" all meet.
3. Idioms of frustration ("this is killing me", "ik word gek van je", "dat slaat nergens op",
   "ik schrik me dood") and benign fears ("scared he'll leave me") are blanked out first.
4. Rules (category, level, regex) run over what is left. A few violence/threat rules are
   negation-aware: a negator just before ("he didn't hit me") or a Dutch "niet" just after
   lowers CLEAR to POSSIBLE -- never to NONE, so recall on danger is kept.
5. A child noun anywhere next to a violence/threat/weapon/sexual/fear signal adds ``CHILDREN``.

Speed: ~600 rule alternatives are too many to ``search`` one by one (~1 ms a message). At import
each alternative is parsed just enough to know the word a match must start at (its first three
letters) and, when that word is common ("he", "ik", "me"), a rarer word the match must also
contain. A message is split into words once; only alternatives whose words both occur are tried,
with ``match`` at the positions of their first word. ``_assess_slow`` does the plain full search
and the tests check that both always agree. A 300-character message takes ~0.1 ms.

Writing rules: ordinary spelling (it is squashed like the text), ``%MACROS%`` for recurring word
groups, every alternative starts at a word (``\b``); the import fails loudly otherwise. Idioms go
in ``_IDIOMS_EN`` / ``_IDIOMS_NL``; ``tests/safety/labelled.tsv`` plus ``scripts/safety_eval.py``
show what a change does to recall and false alarms.

The result's level is the highest rule level that fired; ``NONE`` if and only if no category.
When in doubt the rules prefer POSSIBLE over NONE: asking "are you safe?" once too often is
cheap, missing danger is not.

Emergency numbers and helplines per country are in ``bot.core.countries`` (data beside the catalogs).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "Assessment",
    "Category",
    "Level",
    "assess",
    "normalise",
]


class Level(enum.IntEnum):
    NONE = 0
    POSSIBLE = 1
    CLEAR = 2


class Category(enum.StrEnum):
    VIOLENCE = "violence"
    THREAT = "threat"
    WEAPON = "weapon"
    FEAR = "fear"
    CONTROL = "control"
    SEXUAL = "sexual"
    SELF_HARM = "self_harm"
    CHILDREN = "children"


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    categories: frozenset[Category]


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u02bc": "'",
        "\uff07": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\uff02": '"',
    }
)
_ZERO_WIDTH = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_REPEAT3 = re.compile(r"([^\W\d_])\1{2,}")
_SPACE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Casefold, straighten quotes, strip accents and zero-width characters."""
    if text.isascii():
        return text.lower().replace("`", "'")
    folded = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    folded = unicodedata.normalize("NFKD", folded.casefold()).translate(_QUOTES)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _ZERO_WIDTH.sub("", folded)


def normalise(text: str) -> str:
    """Lowercase, strip accents, straighten quotes, squash 3+ repeated letters to 2, collapse spaces.

    >>> normalise("  Hij  SLAAAAT me\u2019 \u00e9cht ")
    "hij slaat me' echt"
    """
    return _SPACE.sub(" ", _REPEAT3.sub(r"\1\1", _fold(text))).strip()


# Emoji that carry meaning for us become words before the rest is blanked out; other emoji and
# pictographs end a sentence, like punctuation does.
_EMOJI_WORDS = str.maketrans({"\U0001f52a": " knife ", "\U0001f5e1": " knife ", "\U0001f52b": " gun "})
_PICTOGRAPHS = re.compile("[\u2600-\u27bf\U0001f300-\U0001faff]+")
_NON_ASCII = re.compile("[^\x00-\x7f]+")
# ASCII after folding: letters and digits stay, sentence punctuation becomes the "|" boundary,
# apostrophes and backticks vanish ("don't" -> "dont"), anything else becomes a space.
_BOUNDARY_CHARS = ".!?;,:\n\r\t()[]{}\"<>/\\|"
_ASCII_MAP = bytes(
    c if chr(c).isalnum() and c < 128 else ord("|") if chr(c) in _BOUNDARY_CHARS else ord(" ")
    for c in range(256)
)
_LETTER_RUN = re.compile(r"(?<=([a-z]))\1+")  # deletes repeats with a literal "" (fast path)


def _skeleton(text: str) -> str:
    if text.isascii():
        folded = text.lower().replace("...", " ").replace("..", " ")
    else:
        folded = _NON_ASCII.sub(" ", _PICTOGRAPHS.sub("|", _fold(text.translate(_EMOJI_WORDS))))
        folded = folded.replace("...", " ").replace("..", " ")
    s = folded.encode("ascii").translate(_ASCII_MAP, b"'`").decode("ascii")
    s = _LETTER_RUN.sub("", s).replace("|", " | ")
    return _tidy(s)


# --------------------------------------------------------------------------------------------
# Pattern language: ordinary spelling, %MACROS%, letter runs squashed at compile time.
# --------------------------------------------------------------------------------------------

_MACROS: dict[str, str] = {
    # English
    "PARTNER_EN": (
        r"(?:(?:my|ur|your|the|her|his) (?:partner|husband|hubby|wife|wifey|bf|gf|boyfriend|girlfriend"
        r"|fiance|fiancee|spouse|ex|man|other half)|partner|husband|hubby|wife|boyfriend|girlfriend|bf|gf|ex)"
    ),
    "HE": r"(?:he|she|they|him|her|hes|shes|theyre|hed|shed|hell|shell|theyll|theyd|%PARTNER_EN%)",
    "HE_SUBJ": r"(?:he|she|they|hes|shes|theyre|hed|shed|hell|shell|theyll|theyd|%PARTNER_EN%)",
    "KIDS_EN": (
        r"(?:(?:the|my|our|his|her|their|both) (?:kids?|children|child|sons?|daughters?|baby|babies|boys?"
        r"|girls?|toddler|little ones?|stepson|stepdaughter|stepkids?|twins|youngest|oldest)|kids|children)"
    ),
    "FEAR_EN": r"(?:scared|scarred|afraid|afriad|terrified|frightened|frightend|fearful|petrified)",
    "MYSELF": r"(?:myself|my self|myslef|mysef|mself|meself|myselfe|mysel)",
    # Dutch / Flemish
    "POSS_NL": r"(?:mijn|mn|me|m|mijne|men|ons|onze)",
    "PARTNER_NL": (
        r"(?:%POSS_NL% (?:man|vrouw|vriend|vriendje|vriendin|vriendinnetje|lief|lieve|partner|ex|vent"
        r"|ventje|madam|echtgenoot|echtgenote|verloofde|wederhelft)|partner|ex|echtgenoot|echtgenote"
        r"|verloofde)"
    ),
    "HIJ": r"(?:hij|ie|zij|ze|hem|haar|%PARTNER_NL%)",
    "HIJ_SUBJ": r"(?:hij|ie|zij|ze|%PARTNER_NL%)",
    "ME_NL": r"(?:me|mij|ons)",
    "MY_NL": r"(?:mijn|mn|me|m|mijne|men)",
    "KIDS_NL": (
        r"(?:(?:de|mijn|mn|me|onze|ons|zijn|zn|haar|dr|die) (?:kinderen|kinders|kids|kind|kindje|kindjes|zoon"
        r"|zoontje|dochter|dochtertje|baby|kleine|kleintjes|jongste|oudste|jongen|jongens|meisje|meisjes"
        r"|tweeling)|kinderen|kinders|kids)"
    ),
    "FEAR_NL": r"(?:bang|doodsbang|angst|angstig|schrik|bangig)",
    "NOT_NL": r"(?:niet|nie|ni)",
}
_MACRO = re.compile(r"%([A-Z_0-9]+)%")
_PATTERN_RUN = re.compile(r"(?<!\\)([a-z])\1+")


def _expand(pattern: str) -> str:
    for _ in range(5):
        new = _MACRO.sub(lambda m: _MACROS[m.group(1)], pattern)
        if new == pattern:
            break
        pattern = new
    # Squash letter runs exactly as the skeleton does ("kill" -> "kil"), never touching escapes.
    return _PATTERN_RUN.sub(r"\1", pattern)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(_expand(pattern))


# --------------------------------------------------------------------------------------------
# Idioms and benign phrases, blanked out before the rules run.
# --------------------------------------------------------------------------------------------

# Rewrites that keep the meaning we care about ("scared to death of him" -> "scared of him").
# (must occur, pattern, replacement); the literal is a cheap test before the regex runs.
_REWRITES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (_expand(need), _compile(p), _expand(r)) for need, p, r in (
        ("to death", r"\bscared (?:me )?(?:half )?to death\b", " scared "),
        ("to death", r"\bterrified (?:me )?(?:half )?to death\b", " terrified "),
        ("to death", r"\bfrightened (?:me )?(?:half )?to death\b", " frightened "),
        ("out of me", r"\bscared the (?:hell|shit|crap|life) out of me\b", " scared me "),
    )
)

_IDIOMS_EN = (
    # kill / die hyperbole
    r"\b(?:this|that|it|its|you|youre|ur|u|he|hes|she|shes|they|theyre|work|stres|the wait|waiting"
    r"|my (?:back|feet|head|legs|knees|neck|boss|job)|the suspense|the heat|trafic|his mom|her mom"
    r"|these shoes|this heat|this job|the anxiety|the silence|the guilt) (?:is |are |re |s |wil |wil be "
    r"|keeps |literaly |realy |actualy |slowly |just )*(?:kil|kiling|kils) (?:me|us)\b(?: slowly| softly)?",
    r"\b(?:could|would|id|i wd) (?:\w+ )?(?:kil|strangle|murder|throtle|smack|slap|strangel) (?:for|him|her"
    r"|you|u|them|someone|somebody)\b",
    r"\bkil (?:for|time|two birds)\b|\bkiled it\b|\bkiling it\b|\bkils it\b|\bdresed to kil\b",
    r"\bif looks could kil\b|\bkil me now\b|\bjust kil me\b|\b(?:someone|somebody|anyone) kil me\b",
    r"\bkil the (?:mood|vibe|conversation)\b|\bkil ?joy\b|\bkiled (?:myself|me) laughing\b",
    r"\b(?:die|died|dying|dead) (?:of|from|with|laughing) (?:embarasment|shame|laughter|laughing|boredom"
    r"|cringe|curiosity|hunger|thirst|jealousy|envy|the heat|exhaustion|tiredness|the cringe)\b",
    r"\bdying (?:to|for)\b|\bim dying\b|\bim ded\b|\bim dead\b|\bdead (?:tired|serious|wrong|end|set|on)\b",
    r"\bover my dead body\b|\bdrop dead\b|\bto die for\b|\bbored to death\b|\bsick to death\b",
    r"\bworried (?:sick|to death)\b|\blove (?:him|her|you|u|them) to death\b",
    r"\b(?:social|career|political|financial|relationship) suicide\b|\bsuicide (?:squad|mision|doors)\b",
    # hit / beat / push / throw idioms
    r"\b(?:it|that|this|then it|and it|reality|realization|realisation|the truth|the news|the guilt"
    r"|the lonelines|the sadnes|everything) (?:\w+ )?(?:hit|hits|hiting) (?:me|us)\b(?: hard| like)?",
    r"\bhit (?:me|us) up\b|\bhits diferent\b|\bhit the (?:road|roof|ceiling|gym|sack|hay|bar|shops)\b",
    r"\bhit (?:a wal|rock botom|a nerve|a sore spot|home|the nail)\b",
    r"\bbeat (?:me|us) (?:to it|at|in)\b|\bbeats me\b(?= (?:\||why|how|what|lol|haha|honestly|tbh)|\s*$)",
    r"\bbeat(?:ing)? (?:myself|yourself|himself|herself) up\b|\bbeat around the bush\b|\bdead ?beat\b",
    r"\bheart (?:is |was |keeps )?(?:beating|pounding|racing)\b",
    r"\b(?:push|pushes|pushed|pushing) (?:my|your|his|her) buttons\b",
    r"\b(?:push|pushes|pushed|pushing) (?:me|us) (?:away|over the edge|too far|to my limit)\b",
    r"\bthrew (?:me|us) off\b|\bthrows (?:me|us) off\b|\bthrown off\b|\bunder the bus\b",
    r"\bthrew (?:it|that) in my face\b|\bthrows (?:it|that) in my face\b|\bthrew a (?:tantrum|fit)\b",
    r"\bthrows (?:tantrums|fits)\b|\bthrowing a (?:tantrum|fit)\b",
    r"\b(?:was|is|felt like|feels like|like|such) a (?:slap|punch|kick|stab|blow) (?:in|to) (?:the|my) "
    r"(?:face|gut|stomach|teeth|heart|chest|back)\b",
    r"\blike a (?:knife|slap|punch|kick|stab|bullet)\b",
    # weapons used as figures of speech
    r"\b(?:stab|stabed|stabing|stabs) (?:me |you |him |her )?in the back\b|\bback ?stab\w*",
    r"\bknife in (?:my|the|his|her) back\b|\btwist(?:ed|s|ing)? the knife\b",
    r"\b(?:cut|cuting) (?:the tension )?with a knife\b|\bunder the knife\b|\bknife edge\b",
    r"\b(?:jump|jumped|jumping|jumps) the gun\b|\bstick(?:ing|s)? to (?:my|your|his|her|their) guns\b",
    r"\bguns blazing\b|\bson of a gun\b|\btop gun\b|\bsmoking gun\b|\bbig guns\b|\bunder the gun\b",
    r"\b(?:water|nerf|glue|staple|nail|heat|spray|toy) (?:gun|pistol)s?\b",
    r"\bshoot (?:me|us) (?:a|an) (?:text|mesage|email|dm|cal|line)\b|\bshoot (?:your|my) shot\b",
    r"\bjust shoot me\b|\bshoot the mesenger\b|\bshot (?:me )?down\b",
    # fear that is about the relationship, not about danger
    r"\b%FEAR_EN% (?:\w+ ){0,2}?(?:of |that |to )?(?:losing|lose|our relationship|this relationship"
    r"|the relationship|its over|this is over|were over|the future|being alone|be alone|ending up alone"
    r"|end up alone|commitment|intimacy|rejection|abandonment|being abandoned|failing|fail|what people"
    r"|what others|the dark|spiders|heights|flying|tel you|say it|say this|ask you|look stupid)\b",
    r"\b%FEAR_EN% (?:\w+ ){0,2}?(?:that )?(?:he|she|hel|shel|he wil|she wil|he might|she might"
    r"|he is going to|she is going to|hes going to|shes going to|he wants to|she wants to|they) "
    r"(?:\w+ )?(?:leave|leaves|break up|breaks up|dump|dumps|cheat|cheats|stop loving|doesnt love"
    r"|dont love|doesnt care|find someone|move on|lose interest|get bored)\b",
    r"\b%FEAR_EN% (?:that )?(?:i|id|il|im|ive|we|were|wel|you|youl|youre|ur|u)\b",
    r"\b(?:im |i am )?afraid (?:so|not|i cant|i dont|i have to|i wil have|thats|youre right|you are right)\b",
    r"\bcontrol ?freak\w*",
    r"\b(?:can|could|would|will|wil) (?:you|u) (?:please |pls |plz |just )?help (?:me|us)\b",
    r"\bhit (?:me|us) with (?:the|a|an|some|that|this|his|her|their) (?:\w+ )?(?:news|truth|facts|question"
    r"|questions|silent treatment|guilt trip|guilt|comment|line|attitude|sarcasm|excuses?|clasic|same|speech"
    r"|lecture|bombshel|ultimatum|reality check)\b",
    r"\bthreat\w* (?:to )?(?:cancel|cal of|call off|tel|quit|sel|move back|sleep on the couch|unfriend"
    r"|block)\b",
    r"\bthreat\w* (?:to )?(?:go|stay|sleep|move|run|drive|fly) (?:\w+ ){0,2}?(?:to|at|with|in|on|back to"
    r"|home)"
    r" (?:his|her|my|their|a|the|our) \w+\b",
    r"\b%FEAR_EN% (?:\w+ ){0,2}?(?:that )?(?:this is the end|its the end|the end of us|the end of our|it s"
    r" over"
    r"|were not going to make it|we wont make it|we are not going to make it|we re done|were done|we are"
    r" done)\b",
    r"\bthreat\w* (?:to )?(?:leave|break up|divorce|move out|end (?:it|things|the relationship|us)|walk out"
    r"|go home|kick (?:me|him|her) out|stop talking)\b",
)

_IDIOMS_NL = (
    r"\b(?:ik )?word (?:\w+ )?(?:gek|knetter|stapel|horendol|tureluurs) van\b",
    r"\b(?:angry|mad|furious|pised|livid|boos|kwaad|woedend|razend|pisig) (?:\w+ ){0,4}?(?:shaking|trembling"
    r"|tril"
    r"|trillen|beef|beven|trilde)\b",
    r"\bschiet (?:\w+ )?uit (?:mijn|mn|m|me) slof\b|\bontplof\w*",
    r"\b(?:ga|gaat|gaan|ging|gingen|gaan|kga) (?:\w+ )?dood van\b|\bdood van (?:de |het )?\w+",
    r"\b(?:schaam|verveel|lach|schrok|schrik|werk|zoek|erger|ergerde|pieker|piekerde|wacht|wachtte|zweet)"
    r" (?:me|mij|mezelf|ons|je|zich) (?:\w+ )?(?:dood|de pleuris|rot|kapot|een ongeluk)\b",
    r"\bdood ?moe\b|\bdood ?ziek\b|\bdood ?op\b|\bkapot ?moe\b|\bover mijn lijk\b|\bdood ?normaal\b",
    r"\bdood ?gewoon\b|\bdood ?eng\b|\bdood ?stil\b|\bdood ?serieus\b|\bdood ?leuk\b",
    r"\b(?:kan|kon|zou) (?:hem|haar|je|jou|u|ze|hen|hun) (?:\w+ )?(?:wel )?(?:vermoorden|wurgen|schieten"
    r"|villen|achter het behang plakken|killen|doodschieten|iets aandoen|de nek omdraaien)\b",
    r"\b(?:dat|het|dit|wat|die|da|alles) slaat (?:\w+ ){0,2}?op\b|\bslaat (?:\w+ ){0,2}?(?:nergens|niks"
    r"|niets) op\b",
    r"\b(?:slaat|sloeg|slaan|sla) (?:\w+ )?(?:door|op tilt|alarm|de plank mis|een slag|toe|aan het)\b",
    r"\balarm (?:ge)?sla\w*|\b(?:deur|deuren) (?:\w+ )?(?:hard )?dicht ?(?:\w+ )?(?:sla|slaat|sloeg|geslagen"
    r"|gesmeten|smeet|smijt|gegooid|gooit|gooide|gekwakt|knalt|knalde)\b",
    r"\b(?:sla|slaat|sloeg|smijt|smeet|gooit|gooide|knalt|knalde) (?:\w+ )?(?:de |een )?(?:deur|deuren) "
    r"(?:\w+ )?dicht\b",
    r"\b(?:op hol|op de vlucht|achterover|steil achterover|een brug|munt|zijn slag|haar slag|een slag"
    r"|aan het \w+) geslagen\b",
    r"\b(?:tegen|op) (?:de|zijn|haar|mijn|mn|me|z?n) (?:schenen|tenen|ziel) (?:ge)?(?:schopt|trapt|schopte"
    r"|trapte|schoppen|trappen)\b|\b(?:schopt|schopte|trapt|trapte) (?:\w+ )?(?:tegen|op) (?:de|zijn|haar"
    r"|mijn|mn|me) (?:schenen|tenen|ziel)\b",
    r"\b(?:erin|in de val|er in|er weer in) (?:ge)?trapt\b|\btrap (?:\w+ )?(?:erin|er in)\b",
    r"\bmes snijdt\b|\bmes (?:\w+ )?erin\b|\bonder het mes\b|\bmes in (?:de|mijn|mn|me|zijn|haar) rug\b",
    r"\b(?:het|met het) mes op de keel\b|\bpistool op de borst\b|\b(?:de )?wapens neer\w*",
    r"\b(?:als|zoals) (?:een|ne) (?:klap|kaakslag|mes|trap|schop|stomp|dolksteek|mesteek|mokerslag)\b"
    r"(?: in (?:mijn|mn|me|het) (?:gezicht|maag|hart|rug))?",
    r"\bspanning (?:\w+ ){0,3}?snijden\b|\bmisbruik\w* (?:\w+ )?(?:van )?(?:mijn|ons|je|zijn|haar|het)? ?"
    r"(?:vertrouwen|goedheid|situatie|positie|gastvrijheid|gevoelens)\b",
    r"\b(?:laat|liet) (?:me|mij) (?:\w+ )?(?:niet|nooit|nie|ni) (?:\w+ )?(?:los|uitpraten|uitspreken|praten"
    r"|afmaken)\b",
    r"\bniet (?:meer )?(?:bang|banger)\b|\bnergens bang\b|\bgeen (?:angst|schrik)\b|\bschrok\w*",
    r"\b%FEAR_NL% (?:\w+ ){0,2}?(?:dat|om|voor|van) (?:\w+ ){0,4}?(?:verlaat|verlaten|verliezen|verlies|kwijt"
    r"|weggaat|weg gaat|uitmaakt|uit maakt|uit elkaar|vreemdgaat|vreemd gaat|bedriegt|niet meer van (?:me"
    r"|mij)"
    r" houdt|houdt van|alleen (?:te )?(?:zijn|blijven)|over is|uit is|voorbij is|de toekomst|falen|tekort"
    r"|scheiden|scheiding|de relatie|onze relatie|verlating|afwijzing|binding|toekomst|gelijk)\b",
    r"\b%FEAR_NL% (?:\w+ )?dat (?:ik|k|we|wij|je|jij|ge|gij|u)\b",
    r"\bwapenstilstand\b|\bstrijdbijl\b",
    r"\b(?:dreig|dreigt|dreigde|dreigen|gedreigd) (?:ermee |er mee |om )?(?:\w+ ){0,3}?(?:af te zeggen|af te"
    r" blazen|te annuleren|het te vertellen|te verhuizen)\b",
    r"\b(?:dreig|dreigt|dreigde|dreigen|gedreigd) (?:\w+ ){0,2}?(?:(?:dat|om|met|ermee) )?(?:\w+"
    r" ){0,5}?(?:gaat |zal"
    r" |te |gaan )?(?:slapen|logeren|weggaan|weg gaan|vertrekken|verhuizen|scheiden|verlaten|uitmaken|uit"
    r" maken"
    r"|ophouden|stoppen)\b",
    r"\b(?:een )?trap na\b|\btrapt (?:\w+ )?na\b|\btrapte (?:\w+ )?na\b|\bklap van de molen\b",
    r"\b(?:dreig|dreigt|dreigde|dreigden|dreigen|gedreigd) (?:ermee |er mee |om |me |mij )?(?:\w+ ){0,3}?"
    r"(?:verlaten|weg te gaan|te vertrekken|uit te maken|te scheiden|op te stappen|weg te lopen|te stoppen"
    r"|naar (?:zijn|haar) (?:moeder|ouders|zus|broer))\b",
)



# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------

C = Level.CLEAR
P = Level.POSSIBLE
V, T, W, F = Category.VIOLENCE, Category.THREAT, Category.WEAPON, Category.FEAR
K, S, H, KIDS = Category.CONTROL, Category.SEXUAL, Category.SELF_HARM, Category.CHILDREN

# (level, categories, negation-aware, pattern)
_RuleSpec = tuple[Level, tuple[Category, ...], bool, str]

_RULES: tuple[_RuleSpec, ...] = (
    # ---------------------------------------------------------------- violence, English
    (P, (F,), False,
     r"\b(?:sleep|slept|sleeping|spend the night|spent the night) (?:\w+ ){0,2}?in (?:the|my|our) car\b"
     r"|\b(?:go bag|escape bag|safety plan)\b|\bin case i (?:need|have|must) to (?:run|flee|get out"
     r"|leave fast|leave quickly|escape)\b|\b(?:wont|doesnt|didnt|never|dont) take no for an answer\b"),
    (C, (S,), False,
     r"\b(?:wont|doesnt|didnt|never|dont) take no (?:for an answer )?(?:\w+ ){0,3}?(?:in bed|sex\w*|at night"
     r"|in the bedroom)\b|\b(?:in bed|sex|sexualy) (?:\w+ ){0,4}?(?:wont|doesnt|never) take no\b"),
    (C, (V,), True,
     r"\b(?:backhanded|backhands|backhand|clawed|claws|clawing) (?:me|us|my face|at me|at my face)\b"
     r"|\b(?:until|till|til|so hard) (?:i|my \w+) (?:bled|was bleeding|started bleeding|blead)\b"
     r"|\bmade me bleed\b"),
    (C, (T,), False,
     r"\b(?:burn|set fire to|torch) (?:\w+ ){0,3}?(?:with (?:me|us|the kids|my kids) (?:in it|inside))\b"
     r"|\b(?:picture|photo|pic|video) of (?:his|her|a|the) (?:gun|knife|knives|guns|weapon|rifle|pistol)\b"),
    (P, (T,), False,
     r"\b(?:beter|better|had beter|d beter|best) (?:watch|mind) (?:yourself|myself|your back|my back|out|it"
     r"|your mouth|my mouth|what (?:you|i) say)\b"),
    (C, (F,), False,
     r"\b%FEAR_EN% (?:\w+ ){0,6}?of what (?:he|she|they)(?:s| is| re| are)? (?:might|could|wil|would|is going"
     r" to|gona|capable|wants to) (?:do|of)?\b"),
    (P, (F,), False,
     r"\b(?:i|im|i just) (?:\w+ )?(?:freeze|froze|frozen|freezing) (?:up )?(?:\||$|(?:when|every|whenever|in"
     r" fear"
     r"|completely|up)\b)|\b(?:im|i am|i m|i cant stop|cant stop) (?:stil )?(?:shaking|trembling)\b"
     r"(?! (?:with|from) (?:anger|rage|fury|frustration)\b)"),
    (C, (K,), False,
     r"\b(?:so|because|cuz|bc) (?:he|she|they) (?:always )?(?:knows|can se|can track|can check|knows exactly)"
     r" where i (?:am|go|went|was|have ben)\b|\b(?:couldnt|could not|cant|can not) (?:get away|get out"
     r"|escape|leave the room|leave the house)\b(?= (?:\w+ ){0,4}?(?:he|she|him|her|because|blocked"
     r"|locked)\b)"),
    (P, (K,), False,
     r"\b(?:checks|checked|checking) (?:the )?(?:mileage|odometer|receipts|bank statements|my receipts)\b"
     r"|\b(?:couldnt|could not) (?:get away|get out|escape)\b"),
    (C, (H,), False,
     r"\b(?:nobody|no one|noone|none of them) (?:would|wil|wud|wd) (?:\w+ ){0,2}?(?:notice|care|mis me)"
     r" (?:if|when) i (?:was|were|am|m|died|disapeared|wasnt here|left this world|killed myself)\b"
     r"|\b(?:drive|driving|drove|crash|crashing|swerve|swerving|steer|steering) (?:\w+ ){0,3}?into (?:a|the"
     r"|oncoming) (?:tree|wall|truck|traffic|bridge|river|lake|sea|pole|lorry)\b"),
    (P, (F,), False,
     r"\b(?:fled|ran|escaped|got out|ran out|ran away|hid|went|drove) (?:\w+ ){0,3}?(?:to|at|into|in) (?:the"
     r"|my|a|our"
     r"|his|her) (?:neighbou?rs?|friends?|car|street|police|mom|moms|mums?|parents|sisters?|brothers?|shelter"
     r"|hotel"
     r"|neighbou?rs house)\b(?= (?:\w+ ){0,6}?(?:because|cuz|bc|he|she|scared|afraid|terified|safe)\b)"
     r"|\b(?:flinch|flinches|flinched|flinching|cower|cowers|cowered|cowering)\b"
     r"|\b%HE_SUBJ% (?:\w+ ){0,3}?(?:rage|raging|rages|berserk|balistic|unhinged|out of control|psycho|went"
     r" mental"
     r"|goes mental|lost control)\b"),
    (C, (V,), False,
     r"\bhead ?lock\b|\bchoke ?hold\b|\b(?:broke|broken|fractured|cracked) (?:my|his|her) (?:nose|rib|ribs"
     r"|arm"
     r"|wrist|jaw|finger|tooth|teeth|colarbone)\b|\b(?:spat|spit|spits) (?:in|on|at) my face\b"
     r"|\b(?:smashed|slamed|banged|bashed|hit|knocked|shoved|pushed|threw|rammed|smacked) (?:my|his|her)"
     r" (?:head|face) (?:\w+ )?(?:against|into|on|onto|of|through)\b|\btwisted my (?:arm|wrist|arms) (?:until"
     r"|so"
     r"|behind|back|hard)\b|\b(?:run|ran|runs|running) (?:me|us) over\b|\brun over (?:me|us)\b"),
    (P, (V,), False,
     r"\bcornered (?:me|us)\b|\bbacked me into a corner\b|\bin my face\b(?= (?:\||$|and|screaming|yeling))"
     r"|\b(?:punched|punches|punch|hit|hits|kicked|kicks|smashed|smashes|broke) (?:\w+ ){0,2}?(?:steering"
     r" wheel"
     r"|wheel|dashboard|cupboard|fridge|wardrobe|counter|car)\b"),
    (C, (V,), True,
     r"\b(?:hit|hits|hiting|punch|punched|punches|punching|slap|slaped|slaps|slaping|smack|smacked|smacks"
     r"|smacking|kick|kicked|kicks|kicking|beat|beaten|beating|choke|choked|chokes|choking|strangle"
     r"|strangled|strangles|strangling|throtle|throtled|throtling|shove|shoved|shoves|shoving|headbuted"
     r"|headbuts|elbowed|kned|bit|bites|biting|bitten|spat on|spit on|spat at|spit at|stomped on|stomps on"
     r"|tackled|scratched|pinned|pins|asaulted|asaults|batered"
     r"|wacked|whacked|puched|punshed|slapt|kickd) (?:me|us)\b(?! out\b| up\b(?! badly))"),
    (C, (V,), True, r"\bbeat (?:me|us) up\b|\b%HE_SUBJ% (?:\w+ ){0,2}?beats (?:me|us)\b"),
    (C, (V,), True,
     r"\b(?:i got|i get|i was|i have ben|ive ben|i ben|ben|got|geting|get|was|were|being) (?:\w+ )?"
     r"(?:hit|punched|slaped|kicked|beaten|beat up|choked|strangled|shoved|smacked|asaulted"
     r"|batered|beaten up)\b(?! out\b| by (?:a|the) (?:car|bal|bike))"),
    (C, (V,), True,
     r"\b(?:hit|hits|punched|punches|slaped|slaps|kicked|kicks|smacked|elbowed|kned|headbuted|struck|grabed"
     r"|choked|squeezed|scratched|bit) (?:me |us )?(?:in |on |across |into |around )?(?:the|my) "
     r"(?:face|head|stomach|belly|back|chest|ribs|arm|arms|leg|legs|mouth|nose|eye|eyes|jaw|neck|throat"
     r"|wrist|wrists|hair|side|ear|cheek)\b"),
    (C, (V,), False,
     r"\b(?:hands?|fingers|arms?) (?:\w+ ){0,2}?(?:around|round|on|at|to|against) my (?:throat|neck)\b"
     r"|\bby (?:the|my) (?:throat|neck|hair)\b|\bpul(?:ed|s|ing)? (?:me by )?my hair\b|\bpined me\b"
     r"|\bheld (?:me|us) down\b|\bholding (?:me|us) down\b|\bknocked (?:me|us) (?:down|over|to the)\b"
     r"|\bslam(?:ed|s|ing)? (?:me|us) (?:against|into|to|on|onto|down)\b"
     r"|\bthrew (?:me|us) (?:against|into|onto|on|down|to the|across|acros)\b"
     r"|\bshook (?:me|us) (?:hard|so hard|violently|realy hard|by)\b|\bshaking (?:me|us) (?:hard|violently)\b"
     r"|\bdrag(?:ed|s|ing)? (?:me|us) (?:by|across|along|down|up|out of bed|through)\b"
     r"|\bburn(?:ed|t|s)? (?:me|us|my \w+) with\b|\bthrew (?:\w+ ){0,3}?at (?:me|us|my head|my face)\b"
     r"|\bthrows (?:\w+ ){0,3}?at (?:me|us|my head|my face)\b"),
    (C, (V,), True,
     r"\bpush(?:ed|es|ing)? (?:me|us)\b(?! (?:to|too|into (?:doing|saying|it|this|a corner|talking)"
     r"|harder|further|around verbaly|for)\b)"),
    (C, (V,), False,
     r"\bblack eye\b|\bbruises?\b|\bbruised (?:me|my)\b|\bbloody (?:nose|lip)\b|\bsplit lip\b|\bconcusion\b"
     r"|\bbroken (?:nose|rib|ribs|arm|wrist|tooth|finger)\b"),
    (C, (V,), False,
     r"\bdomestic (?:violence|abuse)\b|\bdv\b|\bphysical\w* (?:abus\w*|violen\w*|hurt\w*|atack\w*"
     r"|agresive|harm\w*)\b|\bhurt (?:me|us) physicaly\b|\b(?:abuses|abused|abusing|batters|batered)"
     r" (?:me|us)\b|\bbeing abused\b|\bim abused\b|\bbatered\b|\b(?:got|gets|geting|was|is|became"
     r"|becomes) (?:\w+ )?(?:physical|violent) with (?:me|us)\b|\b(?:got|gets|geting) physical\b"),
    (C, (V,), True, r"\b%HE_SUBJ% (?:\w+ ){0,2}?(?:got|gets|geting|was|became|becomes) violent\b"),
    (P, (V,), False,
     r"(?<!pasive )(?<!pasive and )\bagresive\w*|\bagresion\b|\bviolent\w*|\bviolence\b|\braised (?:his|her|a"
     r"|their) (?:hand|fist)"
     r"|\bfist\b|\bmanhandl\w*|\brough with (?:me|us)\b|\bintimidat\w*|\blunged at\b|\bcame at (?:me|us)\b"
     r"|\bwent for (?:me|us)\b|\bgrab(?:ed|s|ing)? (?:me|us)\b|\bbled\b|\bbleeding\b|\bcouldnt breathe\b"
     r"|\bcould not breathe\b|\babus(?:e|ive|er|ing)\b|\bslaped\b|\bpunched\b|\bstrangled\b"
     r"|\b(?:atack|atacked|atacks|atacking|bashed|bashes) (?:me|us)\b|\b(?:was|got|were|ben) atacked\b"),
    (P, (V,), False,
     r"\b(?:punched|punches|punch|hit|hits|kicked|kicks|smashed|smashes|smashing|broke|breaks|breaking)"
     r" (?:\w+ ){0,2}?(?:wal|wals|door|doors|miror|window|table|stuf"
     r"|things|plates?|dishes|phone|tv|glas|furniture|chair)\b"
     r"|\b(?:throws?|threw|throwing|thrown|smashing|smashes|smashed|breaking|breaks|broke) (?:\w+ )?"
     r"(?:stuf|things|plates|objects|dishes|glases|stuff around)\b|\bhole in the (?:wal|door)\b"),
    (P, (V,), False,
     r"\b%HE_SUBJ% (?:\w+ ){0,2}?(?:hurt|hurts|hurting) (?:me|us)\b(?! (?:when|by|with|so|feelings|a lot"
     r"|emotionaly|deeply|more|every|again with)\b)|\b(?:called|caled|cal|caling|cals) (?:the )?"
     r"(?:police|cops|911|999|112)\b|\b(?:police|cops) (?:came|were here|showed up|arived)\b"
     r"|\b(?:kicked|hit|hurt|kiled|threw|beat|strangled|choked|hits|kicks) (?:the|my|our) (?:dog|cat|puppy"
     r"|kiten|pet|pets)\b|\b(?:hit|punch|slap|kick|beat|choke|strangle|shove|punched|slaped|kicked)"
     r" (?:him|her|them)\b(?! up\b| at\b| to it\b)"),
    # ---------------------------------------------------------------- violence, Dutch / Flemish
    (C, (V,), False,
     r"\b(?:tand|tanden|kies) (?:\w+ )?(?:los|eruit|gebroken|afgebroken|door)\b(?= (?:\w+ ){0,6}?(?:hij|ze"
     r"|zij|hem"
     r"|haar|klap|slag|mep|vuist|gemept|geslagen|gestompt)\b)|\b(?:gemept|geslagen|gestompt|geschopt|getrapt"
     r"|gebeukt) (?:\w+ ){0,3}?(?:tegen|op|in) %MY_NL% (?:kaak|gezicht|hoofd|kop|oog|neus|mond|buik|rug"
     r"|ribben"
     r"|nek|borst|maag)\b|\b(?:tegen|op|in) %MY_NL% (?:kaak|gezicht|hoofd|kop|oog|neus|mond|buik|rug|ribben"
     r"|nek"
     r"|borst|maag) (?:\w+ )?(?:gemept|geslagen|gestompt|geschopt|getrapt|gebeukt)\b"),
    (P, (F,), False,
     r"\b(?:moet|moeten|moest|kunnen|kan|wil|ga|gaan) (?:\w+ )?(?:vluchten|wegvluchten)\b|\bvoor het geval"
     r" (?:\w+ ){0,3}?(?:vluchten|weg moet|weg moeten|wegmoet)\b|\b(?:vluchttas|noodtas|vluchtplan)\b"
     r"|\b(?:slaap|sliep|slapen|overnacht) (?:\w+ ){0,2}?in (?:de|mijn|mn) auto\b"
     r"|\b(?:accepteert|neemt) (?:\w+ )?geen nee\b"),
    (C, (S,), False,
     r"\b(?:accepteert|neemt|pikt) (?:\w+ )?geen nee (?:\w+ ){0,4}?(?:in bed|seks|sex|vrijen|in de"
     r" slaapkamer)\b"
     r"|\b(?:seks|sex|in bed|vrijen) (?:\w+ ){0,4}?(?:accepteert|neemt|pikt) (?:\w+ )?geen nee\b"),
    (C, (V,), True,
     r"\b(?:trok|trekt|trokken|sleurde|sleurt|greep|grijpt|pakte|sleepte) (?:me |mij )?(?:\w+ )?(?:aan|bij)"
     r" %MY_NL% (?:haar|haren|arm|armen|pols|polsen|nek|keel|kraag|oor|oren)\b"),
    (P, (F,), False,
     r"\b(?:ik|k) (?:\w+ )?(?:bevries|bevroor|verstijf|verstijfde|verlam|verlamde|blokkeer|blokkeerde)\b"
     r"|\b(?:tril|trillen|trilde|beef|beven|beefde) (?:\w+ )?(?:helemaal|over mijn hele lijf|als een rietje"
     r"|nog"
     r" steeds|nog|de hele tijd|van angst|van de schrik)\b(?! van (?:woede|kwaadheid|boosheid"
     r"|frustratie)\b)"),
    (P, (T,), False,
     r"\b(?:maar )?beter (?:kon|kan|moet|moest|zou) (?:oppassen|uitkijken|opletten)\b"
     r"|\b(?:kijk|pas) (?:\w+ )?(?:maar )?(?:uit|op) (?:wat je zegt|wat je doet|met wat)\b"),
    (P, (F,), False,
     r"\b(?:gevlucht|vluchtte|vluchtten|ontsnapt|ontsnapte|weggevlucht|gevlogen) (?:\w+ ){0,3}?(?:naar|bij)"
     r" (?:de"
     r" buren|buiten|de auto|%MY_NL% \w+|een vriendin|een vriend|de politie|het hotel|de opvang)\b"
     r"|\b(?:ik|k|we|wij) (?:ben|zijn|moest|moesten) (?:\w+ )?(?:gevlucht|weggevlucht|ontsnapt)\b"
     r"|\b%HIJ_SUBJ% (?:\w+ ){0,3}?(?:woedeaanval\w*|razernij|driftbui\w*|door het lint|buiten zinnen|flipte"
     r"|flipt"
     r"|ontplofte|ontploft|helemaal los|doorgedraaid|draait door|draaide door)\b|\bwoedeaanval\w*"
     r"|\b(?:krimp|kromp|krimpen) (?:\w+ )?ineen\b|\b(?:duik|dook|duiken) (?:\w+ )?weg\b"),
    (C, (V,), True,
     r"\b(?:sleurt|sleurde|sleept|sleepte) (?:\w+ )?(?:me|mij|ons)\b|\bnaar (?:me|mij|mijn hoofd|mn hoofd"
     r"|mijn"
     r" gezicht|mn gezicht) (?:\w+ )?(?:gegooid|gesmeten|geslingerd|gegooit)\b|\b(?:sloeg|slaat|beukte|beukt"
     r"|trapte|trapt|schopte|schopt|stampte|stampt|bleef) (?:\w+ ){0,2}?op (?:me|mij|ons) (?:in|inslaan|in te"
     r" slaan|inbeuken|inslaat)\b|\bop (?:me|mij|ons) (?:\w+ )?(?:ingeslagen|ingebeukt|ingetrapt|inslaan"
     r"|inbeuken|intrappen)\b|\b(?:krabde|krabt|beet|bijt|sloeg|slaat|stompte|stompt|mepte|mept|trapte|trapt"
     r"|schopte|schopt|kneep|knijpt|ramde|beukte) (?:\w+ ){0,2}?%MY_NL% (?:gezicht|hoofd|kop|buik|rug|arm"
     r"|armen"
     r"|been|benen|oog|ogen|neus|mond|lip|kaak|ribben|nek|keel|smoel|bek|maag|borst|hals|wang|oor)\b"
     r"|\bgebroken (?:neus|rib|ribben|arm|pols|kaak|tand|tanden|vinger|sleutelbeen)\b|\bhersenschudding\b"
     r"|\bpijn gedaan (?:\| )?(?:\w+ )?(?:lichamelijk|fysiek)\b|\b(?:lichamelijk|fysiek) pijn gedaan\b"
     r"|\bwurggreep\b|\bnekklem\b"),
    (P, (V,), False,
     r"\b%HIJ_SUBJ% (?:\w+ ){0,3}?(?:doet|deed|heeft) (?:me|mij|ons) (?:\w+ ){0,2}?pijn(?: gedaan)?\b"
     r"(?! (?:met|door) (?:zijn|haar|die|wat|woorden))"
     r"|\b(?:dingen|spullen|borden|bord|glazen|glas|stoelen|meubels) (?:\w+ )?(?:te )?(?:gooien|smijten"
     r"|gegooid|gesmeten|kapotgooien|kapot gooien|kapot te gooien)\b"),
    (C, (V,), True,
     r"\b(?:slaat|sloeg|sloegen|slaan|sla|mept|mepte|stompt|stompte|schopt|schopte|schopten"
     r"|trapt|trapte|trapten|stampt|stampte|wurgt|wurgde|beukt|beukte|ramt|ramde|rammelt|klopt|klopte"
     r"|kloppen|boxt|bokst|bokste|duwde|duwt|duwden|duwen|duw|schudt|schudde|schudden|bijt|beet|krabt"
     r"|krabde|knijpt|kneep|smijt|smeet|gooit|gooide|gooien|stoot|stootte) (?:hij |ie |ze |zij "
     r"|%PARTNER_NL% )?(?:\w+ )?%ME_NL%\b(?! (?:\w+ )?(?:eruit|buiten|toe|weg|op straat|aan|mee|vast|beet"
     r"|in de armen|een knuffel|een kus|op de wang|gerust|in slaap|terug|erdoor|erdoorheen|doorheen|wakker"
     r"|op (?:de|mijn|mn|me) (?:schouder|rug))\b)"),
    (C, (V,), True,
     r"\b%ME_NL% (?:\w+ ){0,5}?(?:slaan|geslagen|slaat|sloeg|klop|kloppen|geklopt|geschopt|getrapt|gestampt"
     r"|geduwd|gewurgd|gestompt|gemept|gebeten|gekrabd|geknepen|geramd|gerammeld|mishandeld|afgetuigd"
     r"|afgerammeld|gebokst|door elkaar geschud|verwond|tegen de grond gewerkt)\b"),
    (C, (V,), True,
     r"\bgeslagen\b|\bgewurgd\b|\bgeschopt\b|\bmishandel\w*|\bafgetuigd\b|\bafgerammeld\b|\bgestompt\b"
     r"|\bin elkaar (?:geslagen|getrapt|gestampt|geschopt|gebeukt|slaan|trappen|stampen)\b"
     r"|\b(?:werd|word|ben|wordt) (?:\w+ ){0,2}?(?:geduwd|getrapt|gemept|gebeten)\b"),
    (C, (V,), False,
     r"\b(?:handen|hand|vingers|arm) (?:\w+ ){0,2}?(?:om|rond|op|aan|tegen) %MY_NL% (?:keel|nek|hals|strot)\b"
     r"|\bbij %MY_NL% (?:keel|nek|haar|haren|strot|kraag|polsen|pols|armen|arm)\b"
     r"|\b(?:keel|strot|hals) (?:\w+ )?(?:dicht|toe) ?(?:geknepen|gedrukt|knijpen|kneep|knijpt|drukte)\b"
     r"|\b(?:kneep|knijpt|knepen|drukte|drukt|dichtkneep|dichtknijpt) (?:\w+ ){0,2}?(?:%MY_NL%|de) (?:keel"
     r"|strot"
     r"|hals|luchtpijp)\b|\btegen de (?:grond|vloer|muur) (?:\w+ )?(?:gewerkt|gegooid|geduwd|gesmeten"
     r"|gekwakt|gedrukt)\b"
     r"|\b(?:me|mij|ons) (?:\w+ ){0,2}?(?:tegen|op) de (?:muur|grond|vloer|kast|deur|tafel|bank|radiator)"
     r" (?:\w+ )?(?:geduwd|duwde|gegooid|gooide|gesmeten|smeet|gedrukt|drukte|gesmakt|gekwakt|gewerkt)\b"
     r"|\b(?:getrokken|trok|trekt) aan %MY_NL% (?:haar|haren)\b|\baan %MY_NL% haren (?:getrokken|trekken)\b"
     r"|\b(?:gooide|gooit|smeet|smijt|gooien) (?:\w+ ){0,3}?naar %MY_NL% (?:hoofd|kop|gezicht)\b"
     r"|\b(?:gooide|gooit|smeet|smijt) (?:\w+ ){0,3}?naar (?:me|mij)\b"
     r"|\bblauwe (?:plek|plekken)\b|\bblauw oog\b|\bhuiselijk geweld\b|\bpartnergeweld\b"
     r"|\b(?:geweld|geweldadig) (?:\w+ )?(?:gebruikt|gebruiken|gebruikte|tegen (?:me|mij|ons))\b"),
    (C, (V,), True,
     r"\b(?:een|ne|nen|n) (?:klap|klets|mep|oplawaai|knal|dreun|lel|stoot|stomp|trap|schop|vuistslag"
     r"|kaakslag|boks|tik|pets|slag|rammeling|pak slaag|pandoering|tets|muilpeer|kopstoot|elleboog)\b "
     r"(?:\w+ ){0,3}?(?:gegeven|gekregen|verkocht|geven|krijgen|gaf|kreeg|geeft|krijg|verkopen|verkocht"
     r"|in %MY_NL% (?:gezicht|smoel|bek|buik|maag|rug|nek|zij))\b"
     r"|\b(?:gaf|geeft|geven|gegeven|verkocht|verkoopt|kreeg|krijg|krijgen|gekregen) (?:\w+ ){0,2}?(?:een|ne"
     r"|nen|n) (?:klap|klets|mep|oplawaai|knal|dreun|lel|stoot|stomp|trap|schop|vuistslag|boks|tik|pets"
     r"|rammeling|pak slaag|kopstoot|tets|muilpeer)\b"
     r"|\b(?:klappen|slaag|klop|rammel) (?:\w+ )?(?:gekregen|krijgen|gehad|geven|gegeven|gaf|geeft"
     r"|kreeg|krijg)\b|\b(?:krijg|kreeg|krijgen|gekregen|geeft|gaf|geven|gegeven) (?:\w+ ){0,2}?(?:klappen"
     r"|pak slaag|klop|rammel)\b"),
    (C, (V,), True, r"\b%HIJ_SUBJ% (?:\w+ ){0,2}?(?:werd|wordt|word|is|was) (?:\w+ )?geweldadig\b"),
    (P, (V,), False,
     r"(?<!pasief )(?<!pasief en )(?<!pasive )(?<!pasive and )\bagres\w*|\bgeweldadig\w*|\bgeweld\b"
     r"|\bhandtastelijk\w*|\bhand (?:\w+ )?(?:op ?geheven|opheffen"
     r"|ophief|hief|hieven)\b|\bhief (?:zijn|haar) (?:hand|vuist)\b|\bvuist\w*|\bdreigend\w*|\bintimider\w*"
     r"|\b(?:sloeg|slaat|slaan|stompte|stompt|schopte|schopt|trapte|trapt|beukte|beukt|ramde|ramt|bonkt"
     r"|bonkte|bonken|timmert|timmerde) (?:\w+ ){0,3}?(?:tegen|op|in) (?:de|het|een) (?:muur|deur|kast|tafel"
     r"|raam|spiegel|wand)\b|\bgat in de (?:muur|deur)\b|\bkapot ?(?:gegooid|geslagen|gesmeten|getrapt"
     r"|geschopt)\b|\b(?:gooit|gooide|gooien|smijt|smeet|smijten) "
     r"(?:\w+ )?(?:met|spullen|dingen|borden|bord|glas|glazen|stoelen|alles)\b|\b(?:slaat|sloeg|gooit"
     r"|gooide|smijt|smeet|trapt|trapte|schopt|schopte) (?:\w+ ){0,2}?(?:kapot|stuk)\b|\bpolitie\b"
     r"|\b(?:112|101) (?:gebeld|bellen|gebeld)\b|\b(?:fysiek|lichamelijk) (?:geweld|pijn|aangevallen"
     r"|mishandeld|agresief)\b|\bkreeg geen (?:lucht|adem)\b|\bhardhandig\w*|\bruw (?:met|tegen)\b"
     r"|\b(?:greep|grijpt|pakte) (?:me|mij) (?:\w+ )?(?:hard|ruw|vast)\b|\bgreep (?:me|mij)\b"),
    (P, (V,), False,
     r"\b%HIJ_SUBJ% (?:\w+ ){0,3}?(?:doet|deed|heeft) (?:me|mij|ons) (?:\w+ )?pijn(?: gedaan)?\b"
     r"(?! (?:met|door) (?:zijn|haar|die|wat|woorden))|\b(?:sloeg|slaat|schopt|schopte|duwde|duwt|wurgde"
     r"|geslagen|trapte|stompte) (?:\w+ )?(?:hem|haar)\b|\b(?:schopte|schopt|sloeg|slaat|trapte|trapt) "
     r"(?:de|onze|mijn|mn) (?:hond|kat|poes|huisdier)\b"),
    # ---------------------------------------------------------------- threats
    (C, (T,), False,
     r"\b%HIJ_SUBJ% (?:\w+ ){0,5}?(?:me|mij|ons|je|jou) (?:\w+ ){0,2}?(?:kapot ?maak\w*|dood ?maak\w*"
     r"|af ?maakt|af ?maken|vermoord\w*)\b"),
    (C, (T,), False,
     r"\b%HIJ_SUBJ% (?:\w+ ){0,5}?(?:me|mij|ons|je|jou) (?:\w+ ){0,2}?(?:begraven|begraaft|verbranden"
     r"|in brand steken|van de trap gooien|van het balkon gooien|overrijden|aanrijden)\b"),
    (P, (T,), False,
     r"\b(?:laten boeten|zal boeten|gaat boeten|zult boeten|ga je boeten|zal je boeten)\b|\bmake (?:me|you|u)"
     r" pay\b"
     r"|\bbetaald zetten\b|\b(?:zal|gaat|ga|zult) (?:\w+ )?(?:het )?(?:wel )?(?:voelen|merken)\b(?= (?:\||$"
     r"|als|dat))"),
    (C, (T,), False,
     r"\b%NOT_NL% (?:meer )?(?:\w+ )?(?:na ?vertellen|navertelt|navertellen)\b|\bwont live to tel\b"
     r"|\b(?:not|never) (?:\w+ )?live to tel\b"),
    (C, (T,), True,
     r"\bthreat\w* (?:\w+ ){0,3}?(?:cut|slit|run (?:me|us) over|set fire|smash my)\b"
     r"|\b%HE_SUBJ% (?:\w+ ){0,5}?slit my throat\b"
     r"|\b%HE_SUBJ% (?:\w+ ){0,3}?(?:said|says|swore|swears|told me|promised|texted|wrote|threatened|would|d"
     r"|wil|l|gona|going to) (?:\w+ ){0,3}?(?:cut|burn|smash|break|slap|punch|hit|kick|strangle|choke|stab"
     r"|shoot|drown) (?:me|us|my face|my throat)\b(?= (?:\||(?:if|when|and|next|again)\b)|\s*$)"
     r"|\bif i (?:ever )?(?:leave|left|go|went|tel|told|cal|caled|report|reported|try|tried)\w* (?:\w+"
     r" ){0,6}?"
     r"(?:kil|hurt|murder|cut|burn|stab|shoot|find me|make me pay|end me|beat|destroy me|regret)\b"),
    (C, (T,), False,
     r"\b(?:zei|zegt|dreigde|dreigt|appte|riep|schreeuwde) (?:\w+ ){0,5}?(?:%NOT_NL%|nooit) (?:zou |zal |gaat"
     r" )?"
     r"(?:overleven|overleeft)\b|\b(?:ben|bent) (?:je|jij|ge|gij) (?:\w+ )?(?:dood|er geweest)\b"
     r"|\b%HIJ_SUBJ% (?:\w+ ){0,5}?(?:je|jou|u|%MY_NL% \w+|de kinderen|onze \w+) (?:\w+ ){0,2}?(?:vermoorden"
     r"|vermoordt|iets aandoen|iets aandoet|iets aan doen|iets aan doet|iets aan te doen|doodmaken|afmaken)\b"
     r"|\b(?:dreig|dreigt|dreigde|dreigden|gedreigd|dreigen) (?:\w+ ){0,5}?(?:in brand|brand|aan te doen)\b"),
    (C, (T,), True,
     r"\bthreat\w* (?:\w+ ){0,3}?(?:kil|murder|hurt|harm|stab|shoot|beat|burn|strangle|choke|destroy|hit"
     r"|punch|end my life|bury|break my)\b|\bthreaten(?:ed|s|ing)? (?:me|us|my life)\b|\bdeath threats?\b"
     r"|\bthreatened with (?:a|his|her)\b|\b(?:if i|when i) (?:ever )?(?:leave|go|tel|report|cal)\w* "
     r"(?:\w+ ){0,6}?(?:kil|hurt|murder|find me|make me pay|end me)\b|\bif (?:i|he|she) (?:cant|can not"
     r"|cannot) (?:have|be with) (?:you|u|him|her|me)\b"
     r"|\b(?:no one|nobody|noone) (?:else )?(?:can|wil|gets to|is going to|is gona) (?:have|be with) (?:you|u"
     r"|me|him|her)\b"
     r"|\bif (?:i|he|she) (?:cant|can not|cannot) (?:\w+ ){1,4}?(?:no one|nobody|noone) (?:else )?(?:can"
     r"|wil)\b"),
    (C, (T,), True,
     r"\b%HE_SUBJ% (?:\w+ ){0,5}?(?:kil|murder|stab|shoot|strangle|choke|bury) (?:me|us)\b"
     r"|\b%HE_SUBJ% (?:\w+ ){0,3}?(?:said|says|swore|swears|told me|promised|texted|wrote|yeled|screamed"
     r"|keeps saying|threatened|tried|tries|trying|wants|wanted|going to|gona|wil|would|l|d) (?:\w+ ){0,3}?"
     r"(?:hurt|harm|beat|end|get|finish) (?:me|us)\b(?! (?:back|a|an|the|some|out|home|to|up|in)\b)"
     r"|\b(?:tried|trying|tries|wants|wanted) to (?:kil|murder|strangle|drown|run over) (?:me|us)\b"),
    (P, (T,), False,
     r"\bthreat\w*|\b(?:kil|murder|stab|shoot|strangle|choke) (?:me|us)\b|\bwatch your back\b|\bor else\b"
     r"|\b(?:youl|you wil|ul|u wil) (?:\w+ )?(?:regret|be sory|pay for)\b|\bmake (?:you|u|me) (?:pay|regret"
     r"|sufer)\b|\bknow where (?:you|u|i|my \w+) live\b"
     r"|\b(?:said|says|told me|texted|warned me|swore) (?:\w+ ){0,2}?(?:youl|you wil|ul|u wil|il|i wil|id"
     r"|you would|i would|i am going to|im going to|im gona) (?:\w+ )?(?:regret|be sory|pay for|pay)\b"
     r"|\b(?:il|im going to|im gona|i wil|i want to|gona|going to) (?:\w+ )?(?:kil|murder|stab|strangle|hurt"
     r"|beat|punch|smash) (?:him|her|them|you|u)\b|\bkys\b|\bkil (?:yourself|urself|your self)\b"
     r"|\b(?:take|took|taking|takes) (?:away )?%KIDS_EN% (?:away )?(?:from me|and)\b"),
    (C, (T, H), False,
     r"\b(?:kil|hurt|harm|cut|end|off|unalive) (?:himself|herself|themselves|themself|his life|her life)\b"
     r"|\bthreat\w* (?:\w+ )?(?:with )?su(?:i|y)?(?:c|s)i?d\w*|\b%HE_SUBJ% (?:\w+ ){0,3}?su(?:i|y)?(?:c"
     r"|s)idal\b"),
    (C, (T,), True,
     r"\b(?:bedreig|bedreigt|bedreigde|bedreigen) (?:\w+ )?(?:me|mij|ons|met|om|de kinderen)\b"
     r"|\b(?:werd|word|wordt|ben|zijn|worden) (?:\w+ ){0,3}?bedreigd\b|\b(?:me|mij|ons) (?:\w+"
     r" ){0,2}?bedreigd\b|\bdoodsbedreig\w*|\bbedreigingen\b"
     r"|\b(?:dreig|dreigt|dreigde|dreigden|gedreigd|dreigen|dreigement|dreigementen)\b (?:\w+ ){0,5}?"
     r"(?:vermoorden|vermoord|dood|doden|afmaken|iets aan ?(?:te )?doen|pijn|slaan|kapot|in elkaar|mes|wapen"
     r"|pistool|geweer|neer te steken|neersteken|af te maken|te vermoorden|te slaan|te doden|zelfmoord"
     r"|mezelf|zichzelf|de kinderen|kinderen|foto|fotos|filmpje|naaktfoto\w*)\b"),
    (C, (T,), True,
     r"\b%HIJ_SUBJ% (?:\w+ ){0,5}?(?:me|mij|ons) (?:\w+ ){0,2}?(?:vermoorden|vermoordt|vermoord|doodmaken"
     r"|dood maken|doodmaakt|afmaken|afmaakt|iets aandoen|iets aandoet|iets aan doen|iets aan doet"
     r"|iets aan te doen|wat aandoen|wat aandoet|kapot maken|kapotmaken|neersteken|neerschieten|doodslaan"
     r"|doodschieten|doodsteken|in elkaar slaan|verzuipen|verdrinken|(?:dood|kapot|af|in elkaar) (?:\w+"
     r" ){0,2}?"
     r"(?:maken|maakt|slaan|slaat|schieten|steken))\b"
     r"|\b(?:maakt|maak|maken|slaat|sla|schiet|steekt) (?:hij|ie|ze|zij) (?:me|mij|ons) (?:\w+ )?(?:af|dood"
     r"|kapot"
     r"|neer|in elkaar)\b|\b(?:als|wanneer|zodra) (?:ik|k) (?:\w+ ){0,4}?(?:wegga|weg ga|vertrek|verlaat"
     r"|uitmaak|uit maak|aangifte doe|iets zeg|het vertel|bij (?:hem|haar) weg\w*) (?:\w+ ){0,6}?"
     r"(?:vermoord\w*|af ?maakt|dood ?maakt|iets aandoet|iets aan doet|kapot ?maakt|in elkaar slaat)\b"
     r"|\b(?:zei|zegt|zeggen|riep|schreef|appte|stuurde|beloofde|zwoer|dreigde|dreigt|sms|smste) (?:\w+"
     r" ){0,6}?"
     r"(?:vermoord\w*|doodmaken|dood maken|iets aan ?(?:te )?doen|iets aandoet|pijn (?:zou|zal|gaat|te) doen"
     r"|pijn doen|in elkaar slaan|afmaken|neersteken|neerschieten|kapot maken|kapotmaken|doodslaan)\b"),
    (P, (T,), False,
     r"\bdreig\w*|\bbedreig\w*|\bgedreigd\b|\bvermoord\w*|\b(?:ik|k) (?:\w+ )?(?:maak|sla) (?:je|jou|u|hem"
     r"|haar) "
     r"(?:\w+ )?(?:kapot|af|dood|in elkaar)\b|\bje (?:gaat|zal|zult) (?:het|er) (?:\w+ )?(?:zien|voelen|spijt"
     r"|van lusten)\b|\bweet waar (?:je|jij|ze|hij) woon\w*|\bals ik je niet (?:\w+ )?(?:kan|mag) hebben\b"
     r"|\bpas (?:\w+ )?(?:maar )?op\b(?= (?:\||$|anders|of))|\banders (?:gebeurt|zal|zul) er (?:iets|wat)\b"),
    # ---------------------------------------------------------------- weapons
    (C, (W,), True,
     r"\b(?:zwaaide|zwaait|dreigde|dreigt|kwam|komt|liep|loopt|stond|staat) (?:\w+ )?met (?:een|de|het|zijn"
     r"|haar"
     r"|ne) (?:\w+ )?(?:mes|schaar|hamer|bijl|knuppel|stok|fles|riem|schroevendraaier|mesje|koevoet)\b"
     r"(?= (?:\w+ ){0,4}?(?:naar|op|achter|tegen) (?:me|mij|ons)\b)"),
    (C, (W,), True,
     r"\b(?:pul\w*|grab\w*|held|hold\w*|point\w*|came at (?:me|us)|coming at (?:me|us)|threat\w*|waved"
     r"|waving|has|had|got|gets|owns|bought|brought|carying|caries|keeps|took out|takes out|picked up"
     r"|picks up|with|wielding|brandish\w*|showed me|loaded) (?:\w+ ){0,3}?(?:knife|knives|gun|guns|pistol"
     r"|rifle|shotgun|firearm|handgun|revolver|machete|axe|blade|weapon|weapons|baseball bat|crowbar)\b"
     r"|\b(?:knife|knives|gun|pistol|rifle|blade|machete|axe|weapon|scisors) (?:\w+ ){0,2}?"
     r"(?:to|at|against|on|in) (?:my|me|us|the kids|his|her|our) ?(?:throat|neck|head|chest|face|back"
     r"|stomach)?\b|\bstab(?:ed|s|ing)? (?:me|us)\b|\bshot (?:at )?(?:me|us)\b(?! (?:a|an|down|up)\b)"),
    (P, (W,), False,
     r"\bknife\b|\bknives\b|\bguns?\b|\bpistol\b|\brifle\b|\bshotgun\b|\bfirearms?\b|\bhandgun\b|\brevolver\b"
     r"|\bmachete\b|\bweapons?\b|\barmed\b|\bstab(?:s|ed|ing|ings)?\b"),
    (C, (W,), True,
     r"\b(?:pakte|pakt|pak|greep|grijpt|haalde|haalt|trok|trekt|hield|houdt|heeft|had|met|zwaaide|zwaait"
     r"|dreigde|dreigt|gepakt|gehaald|getrokken|liep|kwam|stond|staat|bezit|koopt|kocht|gekocht|draagt|droeg)"
     r" (?:\w+ ){0,3}?(?:een|het|zijn|haar|ne|nen|de|zn|dr)? ?(?:mes|mesen|pistool|geweer|vuurwapen|wapen"
     r"|wapens|bijl|machete|knuppel|honkbalknuppel|stiletto|(?:keuken|vlees|brood|zak|steek"
     r"|jacht|vlinder|groente|schil)mes)\b(?! (?:in de (?:la|lade)|snijden|groente|te snijden)\b)"
     r"|\b(?:mes|pistool|geweer|wapen|bijl|schaar|hamer|knuppel) (?:\w+ ){0,2}?(?:op|tegen|naar|bij|aan) "
     r"(?:%MY_NL%|de|zijn|haar|onze|ons) (?:keel|hoofd|nek|hals|buik|borst|gezicht|kinderen|slaap)\b"
     r"|\b(?:mes|pistool|geweer|wapen) (?:\w+ )?(?:op|naar|tegen) (?:me|mij|ons)\b"
     r"|\b(?:neergestoken|neersteken|doodgestoken|doodsteken|neergeschoten|beschoten|doodschieten)\b"
     r"|\bmet (?:een|het|zijn|haar) mes (?:\w+ )?gestoken\b"),
    (P, (W,), False,
     r"\bmes\b|\bmesen\b|\bpistool\b|\bgeweer\b|\bvuurwapen\w*|\bwapen\b|\bwapens\b|\bbijl\b|\bknuppel\b"
     r"|\b(?:keuken|vlees|brood|zak|steek|jacht|vlinder)mes\b"),
    # ---------------------------------------------------------------- fear
    (C, (F,), False,
     r"\bals de dood (?:\w+ )?(?:voor|van) (?:hem|haar|hen|%PARTNER_NL%)\b"),
    (P, (F,), False,
     r"\bals de dood\b|\b(?:help (?:me|mij|ons)|please help|pls help|help (?:alsjeblieft|aub|please|pls))\b"
     r"(?= *(?:\||$))"),
    (C, (F,), True,
     r"\b%FEAR_EN% (?:\w+ ){0,2}?(?:of|for) (?:him|her|them|%PARTNER_EN%|what (?:he|she|they)|my life"
     r"|my safety|our safety|our lives|my kids|the kids|my children|our kids|the children|his temper"
     r"|her temper|his anger|her anger)\b"
     r"|\b%FEAR_EN% (?:\w+ ){0,2}?(?:that |what )?(?:he|she|they|hel|shel|theyl|hed|shed|%PARTNER_EN%) "
     r"(?:\w+ ){0,3}?(?:hurt|kil|hit|beat|do something|do sth|snap|snaps|lose it|loses it"
     r"|find me|finds me|find us|harm|atack|go after|take the kids|take my|punch|choke|strangle|rape|force"
     r"|kick|slap|get violent|gets violent|be violent|wil do|might do|could do|is capable|do to me|explode)"),
    (C, (F,), False,
     r"\b%HE_SUBJ% (?:\w+ ){0,2}?(?:scares|scared|terifies|terified|frightens|frightened|freaks out|freaked"
     r" out|intimidates|terorizes|terorises) (?:me|us|the kids|the children|my kids)\b"
     r"|\bfear for (?:my|our) (?:life|lives|safety)\b|\b(?:live|living|lived) in fear\b"
     r"|\b(?:dont|do not|never|cant|no longer) (?:\w+ )?feel safe\b(?! (?:to|enough to|talking|sharing"
     r"|opening|being|emotionaly|with my feelings)\b)|\bnot safe\b(?! (?:to|enough to|emotionaly|for my heart"
     r"|driving|to drive)\b)|\bunsafe\b(?! (?:to|emotionaly)\b)|\b(?:im|i am|we are|were|the kids are|my life"
     r" is)"
     r" (?:\w+ )?in danger\b(?! of\b)"
     r"|\bhiding from (?:him|her|them|%PARTNER_EN%)\b|\bhide from (?:him|her|them)\b"
     r"|\b(?:hiding|locked myself|hid|im) in the (?:bathroom|bedroom|closet|car|basement|toilet|garage)\b"
     r"|\blocked myself in\b"),
    (P, (F,), False,
     r"\b%FEAR_EN%\b|\bscares me\b|\bfeel(?:ing)? threatened\b|\b(?:dont|do not) (?:\w+ )?feel safe\b"
     r"|\b(?:emotionaly )?unsafe\b|\bnot safe\b|\b(?:scared|afraid|dont want|cant|dare not) (?:to )?go home\b"
     r"|\bdont know what (?:he|she|they)(?:s| is| wil|l)? (?:\w+ )?(?:capable of|do|going to do)\b"
     r"|\bwhat (?:he|she|they)(?:s| is| are|re) capable of\b|\b%HE_SUBJ% (?:\w+ )?(?:gets|is|was|can be"
     r"|becomes"
     r"|got|looked|looks|sounded) (?:so |realy |very |kinda |kind of |prety )?(?:scary|frightening|terifying"
     r"|menacing)\b|\bwalking on eg ?shels\b|\bwalk on eg ?shels\b|\beg ?shels\b|\btip ?to(?:e|eing|ing)"
     r" around\b|\bdont dare\b|\bbanging on the door\b|\bpounding on the door\b|\bneed (?:to get out|help)"
     r" (?:\w+ )?now\b|\bget out safely\b|\b(?:womens )?shelter\b|\bsafe house\b"),
    (C, (F,), True,
     r"\b(?:%FEAR_NL%|benauwd) (?:\w+ ){0,2}?(?:voor|van) (?:hem|haar|hen|hun|%PARTNER_NL%|wat (?:hij|ze|zij"
     r"|ie)|zijn (?:woede|reactie|driftbuien|drift|humeur|agressie)|haar (?:woede|reactie|drift|humeur"
     r"|agressie)|mijn leven|ons leven|mijn veiligheid)\b"
     r"|\b(?:%FEAR_NL%|benauwd) (?:\w+ ){0,2}?(?:dat|wat) (?:hij|ie|ze|zij|%PARTNER_NL%) (?:\w+ ){0,4}?"
     r"(?:me|mij|ons|iets|wat|de kinderen|mn|mijn|weer|doet|aandoet|slaat|vermoordt|pijn|kwaad|terugkomt"
     r"|ontploft|doorslaat|zal doen|gaat doen|kan doen|vindt|vind|komt)\b"),
    (C, (F,), False,
     r"\b%HIJ_SUBJ% (?:\w+ ){0,2}?(?:maakt|maakte|jaagt|joeg) (?:me|mij|ons|de kinderen) (?:\w+ )?(?:bang"
     r"|doodsbang|angst aan|schrik aan)\b|\b(?:voel|voelde|voelen) (?:me|mij|ons|mezelf) (?:\w+ ){0,2}?"
     r"(?:%NOT_NL% (?:meer )?veilig|onveilig)\b(?! (?:om|bij het|als ik (?:mijn|mn) gevoel)\b)"
     r"(?!(?: \w+)? emotioneel)|\b(?:ik|k|we|wij) (?:ben|zijn) (?:\w+ )?(?:%NOT_NL% (?:meer )?veilig"
     r"|in gevaar|onveilig)\b|\bvrees voor (?:mijn|ons) leven\b"
     r"|\b(?:leven|kinderen|kids|kinders) (?:is|zijn) (?:\w+ )?in gevaar\b"
     r"|\b(?:verstop|verstopt|verstopte|verschuil|verschuilde) (?:me|mij|ons|mezelf) (?:\w+ ){0,2}?(?:voor"
     r"|in|op)\b|\b(?:me|mij|mezelf|ons|zit|zat|zitten) (?:\w+ ){0,2}?(?:opgesloten|verstopt) in"
     r" (?:de|het|een|mijn|mn|ons|onze) (?:badkamer|wc|slaapkamer|auto|kast|toilet|kamer|kelder|schuur"
     r"|berging)\b"),
    (P, (F,), False,
     r"\b%FEAR_NL%\b|\bonveilig\w*|\bbenauwd (?:van|voor)\b|\bdurf (?:\w+ ){0,2}?%NOT_NL% (?:meer )?"
     r"(?:naar huis|thuis|terug|naar binnen|weg|te slapen|te gaan slapen|iets te zeggen|nee te zeggen"
     r"|tegen (?:hem|haar) in|op te staan|te bewegen|naar boven)\b|\bdurf (?:hem|haar) %NOT_NL%\b"
     r"|\b(?:ik|k) durf %NOT_NL%\b|\bop eieren\b"
     r"|\bweet %NOT_NL% (?:\w+ ){0,2}?(?:wat (?:hij|ze|zij|ie) (?:\w+ )?(?:gaat|zal|kan) doen|waartoe)\b"
     r"|\btot alles in staat\b|\b(?:bonkt|bonkte|bonken|beukt|beukte|timmert) (?:\w+ )?op de"
     r" deur\b|\bvrouwenopvang\b|\bblijf van (?:mijn|mn) lijf\b|\bopvang\b"
     r"|\b(?:gebeld|bellen|bel|contact (?:met|opnemen met)|melding bij|naar) veilig ?thuis\b"
     r"|\bveilig ?thuis (?:gebeld|bellen|ingeschakeld|ingelicht)\b"
     r"|\bvoel (?:me|mij) (?:\w+ )?%NOT_NL% (?:meer )?veilig\b"),
    # ---------------------------------------------------------------- coercive control
    (C, (K,), False,
     r"\b(?:moet|moest|moeten) (?:\w+ ){0,3}?(?:mijn|mn|al mijn|me) (?:loon|salaris|geld|uitkering|pinpas"
     r"|bankpas"
     r"|bankkaart|spaargeld) (?:\w+ )?(?:aan (?:hem|haar) (?:geven|afgeven|overmaken)|afgeven|inleveren"
     r"|afstaan)\b"
     r"|\b(?:zodat|want) (?:hij|ze|zij) (?:altijd )?(?:weet|ziet|kan zien|kan checken) waar (?:ik|k) (?:ben"
     r"|was"
     r"|ga|heen ga|uithang)\b"),
    (P, (K,), False,
     r"\b(?:klemgezet|klem gezet|ingesloten|klemreed)\b|\b(?:kon|kan|konden) (?:\w+ )?%NOT_NL% (?:meer"
     r" )?(?:weg"
     r"|eruit|vluchten|ontsnappen|naar buiten)\b"),
    (P, (K,), False,
     r"\b(?:changed|changes|changing) the locks\b|\b(?:wont|doesnt|refuses to|didnt|never) give (?:me|us)"
     r" (?:a|my|the"
     r"|our) (?:key|keys)\b|\bunles i (?:do what|obey|agree|sleep|have sex|give|say sory|beg)\b|\bdo"
     r" (?:exactly )?what"
     r" (?:he|she|they) (?:says|tels me|wants)\b(?= (?:\w+ ){0,4}?(?:or|otherwise|else)\b)|\bas long as i"
     r" obey\b"
     r"|\b(?:pressur\w*|nag\w*|badger\w*|guilt\w*|keeps asking|wont stop asking|keeps pushing|pushes|pushed)"
     r" (?:me )?(?:\w+ ){0,3}?until i (?:give in|gave in|say yes|said yes|agree|agreed|do it|did it)\b"
     r"|\b(?:sloten|slot) (?:\w+ )?(?:vervangen|veranderd|verwisseld)\b|\btenzij (?:ik|k) (?:\w+ )?(?:doe wat"
     r"|gehoorzaam"
     r"|toegeef|seks|met hem|met haar)\b|\bals (?:ik|k) (?:%NOT_NL%|nie) doe wat (?:hij|ze|zij) zegt\b"
     r"|\b(?:mag|kan|durf) %NOT_NL% (?:\w+ ){0,3}?zonder (?:hem|haar)\b|\b(?:tot|totdat) (?:ik|k) (?:\w+"
     r" )?toegeef\b"),
    (C, (K,), False,
     r"\b(?:laat|liet|laten) (?:me|mij|ons) (?:\w+ ){0,2}?(?:het huis|de deur|de kamer|de slaapkamer) (?:\w+"
     r" )?"
     r"(?:%NOT_NL%|nooit) (?:\w+ )?uit\b|\b(?:laat|liet|laten) (?:me|mij|ons) (?:\w+ )?(?:%NOT_NL%|nooit)"
     r" (?:\w+ )?"
     r"(?:het huis|de deur|de kamer) uit\b"),
    (C, (K,), False,
     r"\bnot alowed (?:out|outside|anywhere|to go)\b|\b(?:hand over|give him|give her|hand him|hand her)"
     r" (?:al )?(?:of )?(?:my|our) (?:paycheck|salary|wages|money|card|bank card|income)\b"
     r"|\bmag (?:ik|k|je) (?:\w+ ){0,3}?(?:%NOT_NL%|nooit) (?:meer )?(?:weg|naar buiten|buiten|de deur uit"
     r"|werken"
     r"|uitgaan|afspreken|op stap)\b|\bmag (?:\w+ )?(?:geen|nooit) (?:eigen )?(?:geld|rekening|bankrekening"
     r"|bankpas"
     r"|telefoon|gsm|vrienden|vriendinnen|werk|baan|contact)\b|\b(?:bepaalt|beslist) (?:\w+ )?(?:met wie|wie"
     r"|waar"
     r"|wanneer|hoe laat) (?:ik|k) (?:\w+ ){0,2}?(?:mag|mocht|moet)\b"
     r"|\b(?:%MY_NL%|al %MY_NL%|de|onze) (?:bankpas|pinpas|bankkaart|kaart|geld|telefoon|gsm|sleutels"
     r"|paspoort"
     r"|portemonnee|loon|salaris|mobiel|autosleutels) (?:\w+ ){0,2}?(?:ingepikt|afgepikt|weggenomen|ingenomen"
     r"|achtergehouden|in beslag genomen|gejat|afhandig gemaakt|verstopt|weggegooid)\b"),
    (P, (K,), False,
     r"\b(?:boodschappengeld|huishoudgeld|leefgeld)\b|\blocatie (?:\w+ ){0,3}?(?:delen|aan|aanstaan|volgen"
     r"|checken|gedeeld|aan hebben)\b"),
    (C, (K,), False,
     r"\block(?:ed|s|ing)? (?:me|us) (?:in|up|inside)\b|\blocked in (?:the|a|my|our) (?:room|house|bathroom"
     r"|bedroom|flat|apartment|basement|car)\b|\b(?:wont|doesnt|didnt|wouldnt|never|does not|did not"
     r"|wil not|would not|refuses to|refused to) let (?:me|us) (?:\w+ ){0,2}?(?:leave|go|out|outside|see"
     r"|visit|meet|talk to|cal|text|use|work|get a job|sleep|eat|drive|go out|open|in|near|have (?:money"
     r"|a phone|my|any|friends))\b|\b(?:not|never|isnt|arent|not even) alowed to (?:\w+ )?(?:leave|go|see"
     r"|have|work|cal|talk to|text|use|drive|wear|visit|meet|spend|eat|get|open|speak to|contact|be alone"
     r"|lock|sleep)\b"),
    (C, (K,), False,
     r"\b(?:took|takes|taking|take|grabed|smashed|smashes|broke|breaks|hides|hid|hiding|confiscated|keeps"
     r"|kept|threw|snatched) (?:away )?(?:my|our) (?:phone|cel|celphone|mobile|keys|car keys|pasport|id"
     r"|wallet|bank card|card|cards|money|laptop|bankcard|debit card|credit card)\b(?! (?:charger|case|cable"
     r"|password)\b)"
     r"|\b(?:controls|controling|control|controled) (?:al )?(?:of )?(?:my|our|the|al the|al our) (?:money"
     r"|finances|bank|acount|cards|spending|income|salary|wages)\b|\b(?:wont|doesnt|refuses to|never|didnt)"
     r" give (?:me|us) (?:any )?(?:money|cash|acces)\b|\bno acces to (?:\w+ )?(?:money|bank|acount|cash"
     r"|cards?)\b|\b(?:takes|took|keeps|kept) (?:al )?(?:of )?(?:my|our) (?:money|salary|paycheck|wages"
     r"|income|benefits)\b|\bgives (?:me|us) an alowance\b"
     r"|\b(?:isolat\w*|cut) (?:me|us) (?:of |away )?(?:from|of) (?:my|our|al|everyone|everybody)\b"
     r"|\b(?:forbid\w*|forbade|bans|baned) (?:me|us)\b|\b(?:stops|stoped|stoping|prevents|prevented)"
     r" (?:me|us) (?:from )?(?:seing|leaving|going|working|caling|talking to|meting|geting help)\b"
     r"|\bmade (?:me|us) (?:quit|stop working|give up my job)\b|\bstalk\w*"
     r"|\b(?:blocked|blocking|blocks|block|stod in|standing in|stands in) (?:\w+ )?(?:the )?(?:door|doorway"
     r"|exit|way out)\b|\b(?:tracks|tracking|tracked|tracker|airtag|gps) (?:\w+ )?(?:my|me|on my|on me)\b"
     r"|\b(?:wont|wouldnt|didnt) let (?:me|us) out\b|\bagainst my wil\b"),
    (P, (K,), False,
     r"\bcontroling\b|\bposesive\b|\b(?:kicked|threw|locked|put) (?:me|us) out\b|\bkicked out\b"
     r"|\b(?:makes|made|make) (?:me|us) (?:ask|beg) (?:for|permision)\b|\bpermision to\b|\bnot alowed\b"
     r"|\bforced (?:me|us)\b|\bfollows (?:me|us)\b|\bfollowed (?:me|us)\b|\bspies on\b|\bspying on\b"
     r"|\b(?:check|checks|checking|read|reads|reading|goes through|went through|monitors|monitoring"
     r"|snoops through|looks through) (?:al )?(?:of )?(?:my|our) (?:phone|mesages|texts|location|emails"
     r"|whatsap|dms"
     r"|chats|bank)\b|\bwont let (?:me|us) (?:leave|go)\b|\btraped\b"),
    (C, (K,), False,
     r"\b(?:sluit|sloot|sluiten|sloten|sluitte) (?:me|mij|ons) (?:\w+ ){0,3}?op\b"
     r"|(?<!voel )(?<!voelde )(?<!voelt )\b(?:me|mij|ons) (?:\w+ ){0,3}?opgesloten\b"
     r"|\b(?:hij|ie|ze|zij) (?:heeft|had) (?:\w+ ){0,2}?opgesloten\b"
     r"|\bop slot (?:\w+ ){0,5}?(?:er %NOT_NL%|%NOT_NL% weg|%NOT_NL% uit|%NOT_NL% naar buiten|kan %NOT_NL%"
     r"|kon %NOT_NL%)\b"
     r"|\b(?:pakt|pakte|pakken|afgepakt|afpakken|neemt|nam|afgenomen|afnemen|verstopt|verstopte|houdt|hield"
     r"|gooit|gooide|smeet|smijt|vernielt|vernielde|sloeg|slaat|vergrendelt|afpakt|afneemt|gepakt|gesmeten)"
     r" (?:\w+ ){0,2}?(?:%MY_NL%|al %MY_NL%) (?:telefoon|gsm|mobiel|mobieltje|phone|sleutels|sleutel"
     r"|autosleutels|paspoort|id|identiteitskaart|bankpas|pinpas|bankkaart|portemonnee|portefeuille|geld"
     r"|laptop|loon|salaris|uitkering)\b(?! (?:oplader|hoesje)\b)"
     r"|\b(?:telefoon|gsm|mobiel|sleutels|paspoort|bankpas|pinpas|bankkaart|geld|portemonnee) (?:\w+ ){0,2}?"
     r"(?:afgepakt|afgenomen|afpakken|afnemen|afpakt|afneemt|kapot gemaakt|kapotgemaakt|kapot gegooid)\b"
     r"|\b(?:pakt|pakte|nam|neemt|nemen|pakken) (?:\w+ ){0,3}?(?:telefoon|gsm|mobiel|sleutels|paspoort"
     r"|bankpas"
     r"|pinpas|bankkaart|geld|portemonnee) (?:\w+ )?af\b"),
    (C, (K,), False,
     r"\b(?:mag|mocht|mogen|mogen) (?:\w+ ){0,2}?van (?:hem|haar|hen|hun|%PARTNER_NL%) (?:\w+ ){0,4}?"
     r"(?:%NOT_NL%|niks|niets|nooit|geen|niemand|nergens)\b|\b(?:ik|k|we|wij|je|jij) (?:\w+ )?(?:mag|mocht"
     r"|mogen) (?:\w+ )?"
     r"(?:%NOT_NL%|nooit) (?:meer )?(?:weg|naar buiten|buiten|de deur uit|werken|naar %MY_NL%|met"
     r" %MY_NL%|bellen|sporten|uitgaan|uit gaan|zonder (?:hem|haar)|afspreken|op stap|mijn vrienden|mijn"
     r" familie|mn"
     r" vrienden|mijn vriendinnen|naar huis|naar mijn)\b|\bmag (?:\w+ ){0,3}?(?:vrienden|vriendinnen|familie"
     r"|ouders|moeder|mama|zus|broer|collegas|vriendin) (?:\w+ ){0,2}?(?:%NOT_NL%|nooit) (?:meer )?(?:zien"
     r"|bellen|spreken|ontmoeten|bezoeken|afspreken|appen)\b"
     r"|\b(?:laat|liet|laten) (?:me|mij|ons) (?:\w+ ){0,2}?(?:%NOT_NL%|nooit) (?:\w+ )?(?:weg|gaan|weggaan"
     r"|naar buiten|buiten|de deur uit|eruit|uit huis|slapen|werken|binnen|vertrekken|erdoor)\b"
     r"|\b(?:geeft|gaf|geven) (?:me|mij|ons) (?:\w+ ){0,2}?(?:geen|nooit|niks|niets) (?:\w+ )?(?:geld|cent"
     r"|euro)\b|\b(?:krijg|kreeg) (?:\w+ ){0,2}?geen (?:\w+ )?(?:geld|cent)\b|\bgeen toegang (?:\w+ ){0,3}?"
     r"(?:geld|rekening|bankrekening|bank|pinpas|bankpas|bankkaart)\b|\b(?:controleert|controleerde)"
     r" (?:\w+ ){0,2}?(?:al (?:het|ons|mijn|mn) |alle |het |ons |mijn |mn )?(?:geld|financien|rekening"
     r"|uitgaven"
     r"|loon|salaris|aankopen)\b|\b(?:isoleert|isoleerde|verbiedt|verbood|verbieden) (?:\w+ ){0,2}?(?:me|mij"
     r"|ons)\b"
     r"|\b(?:blokkeert|blokkeerde|versperde|verspert|versperren|blokkeren) (?:\w+ ){0,2}?(?:de )?(?:deur"
     r"|uitgang|weg|gang)\b|\b(?:voor|in) de (?:deur|deuropening|voordeur) (?:\w+ ){0,2}?(?:staan|stond"
     r"|staat|gaan staan|ging staan)\b|\bstalkt\b|\bstalken\b|\bgestalkt\b|\btegen (?:mijn|mn) wil\b"
     r"|\bvolgsysteem\b|\b(?:gps|tracker|airtag) (?:\w+ ){0,3}?(?:op|in|onder) (?:%MY_NL%|de) (?:auto"
     r"|fiets|tas|telefoon|gsm)\b"),
    (P, (K,), False,
     r"\bcontrolerend\w*|\bcontroleert alles\b|\bbezitterig\w*|\b(?:me|mij) (?:\w+ ){0,2}?(?:eruit|buiten"
     r"|op straat) (?:ge)?(?:zet|gegooid|geschopt|gooit|schopt|gooide|zette|schopte|smeet|gesmeten)\b"
     r"|\btoestemming (?:\w+ )?(?:vragen|nodig)\b|\b(?:volgt|checkt|controleert|leest|bekijkt|doorzoekt"
     r"|doorzocht|las|checkte) (?:\w+ ){0,2}?(?:%MY_NL%|al %MY_NL%) (?:telefoon|gsm|berichten|appjes"
     r"|whatsapp|mails|locatie|mobiel|bankrekening)\b|\b(?:zit|zat) (?:\w+ ){0,2}?aan %MY_NL% (?:telefoon"
     r"|gsm)\b|\bvolgt (?:me|mij)\b|\bzakgeld\b|\b(?:ik|k) mag (?:\w+ )?(?:niks|niets)\b|\bop slot\b"
     r"|\bopgesloten\b|\bgedwongen\b|\b(?:zet|zette|zetten|gooit|gooide|smeet|smijt|schopt|schopte)"
     r" (?:me|mij|ons) (?:\w+ )?(?:eruit|buiten|op straat|het huis uit|de deur uit)\b|\bdwingt (?:me|mij)\b"
     r"|\bgeisoleerd\b|\bbeheert (?:\w+ ){0,2}?geld\b"),
    # ---------------------------------------------------------------- sexual coercion
    (P, (S,), False,
     r"\beven (?:when|though|after|if) i (?:\w+ )?(?:said|say|told (?:him|her)|tel (?:him|her)) no\b"
     r"|\bterwijl (?:ik|k) (?:\w+ )?nee (?:zei|zeg|riep)\b|\book al (?:zei|zeg) (?:ik|k) (?:\w+ )?nee\b"),
    (C, (S,), False,
     r"\b(?:pressur\w*|pushes|pushed|guilt\w*|keeps asking|wont stop) (?:\w+ ){0,6}?(?:until|til|till) i"
     r" (?:\w+ )?"
     r"(?:give in|gave in|say yes|said yes)\b(?= (?:\w+ ){0,6}?(?:said|say|saying) no\b)"
     r"|\b(?:said|say|saying) no\b(?: \w+){0,8}? (?:until|til|till) i (?:\w+ )?(?:give in|gave in)\b"),
    (C, (S,), False,
     r"\b(?:dwingt|dwong|gedwongen|dwingen) (?:\w+ ){0,4}?(?:in bed|in de slaapkamer|seksueel|seksuele"
     r"|intiem)\b"
     r"|\b(?:doesnt|dont|didnt|wont|wouldnt|never) stop (?:\w+ ){0,2}?(?:when|if|even when|even though|after)"
     r" i"
     r" (?:say|said|tel|told (?:him|her)|ask|asked) (?:no|him to stop|her to stop|to stop)\b"
     r"|\b(?:share|shares|shared|post|posts|posted|leak|leaked|send|sends|sent|show|showed|spread)\w* (?:\w+"
     r" ){0,2}?"
     r"(?:my|our) private (?:pics|pictures|photos|videos)\b"),
    (C, (S,), False,
     r"\brap(?:e|ed|es|ing|ist)\b|\bsexual\w* (?:asault\w*|abus\w*|coerc\w*|violen\w*|haras\w*)"
     r"|\bmolest\w*|\bforc(?:ed|es|ing|e) (?:me|us) (?:\w+ ){0,3}?(?:sex|sleep with|to have|into bed"
     r"|to do (?:things|stuf|it)|oral|blowjob|to touch|to get naked|to undres)\b|\bforc(?:ed|es|ing)"
     r" (?:himself|herself) on (?:me|us)\b|\b(?:made|makes|make|presured|presures|presuring|pushes|pushed"
     r"|guilt\w*|coerc\w*) (?:me|us) (?:\w+ ){0,2}?(?:into |to (?:have )?)?(?:sex|sleep with|have sex"
     r"|do sexual|into bed|sexual)\b|\bsex (?:\w+ ){0,4}?(?:i didnt want|i dont want|against my wil"
     r"|without (?:my )?consent|when i (?:said|say) no|even though i said no|while i was (?:asleep|sleping"
     r"|drunk|pased out))\b|\bwithout (?:my )?consent\b|\bnon ?consensual\b|\b(?:said|say|sayed) no"
     r" (?:\w+ ){0,3}?(?:but|and) (?:he|she|they) (?:\w+ ){0,2}?(?:didnt stop|wouldnt stop|doesnt stop"
     r"|kept going|keeps going|did it anyway|does it anyway|continued|went on|stil)\b|\btouch(?:ed|es|ing)"
     r" (?:me|us) (?:\w+ ){0,3}?(?:when i (?:said|say) no|while i (?:was )?(?:asleep|sleping)|without asking"
     r"|i didnt want|even though)\b|\bwhile i was (?:asleep|sleping|pased out|unconscious)\b"
     r"|\b(?:share|shares|post|posts|leak|leaks|send|sends|show|shows|spread)\w* (?:\w+ ){0,2}?(?:my|our)"
     r" (?:nudes|naked (?:pics|pictures|photos)|intimate (?:pics|pictures|photos|videos)|sex tape)\b"
     r"|\brevenge porn\b"),
    (P, (S,), False,
     r"\b(?:feel|felt|feeling) (?:obligated|presured|forced) (?:\w+ ){0,2}?(?:sex|sleep with|to have sex)\b"
     r"|\bsex (?:\w+ ){0,3}?(?:obligat\w*|have to|owe him|owe her|duty)\b|\bnudes\b|\bunwanted\b"
     r"|\b(?:keeps|kept) (?:\w+ )?touching (?:me|us)\b"),
    (C, (S,), False,
     r"\bverkracht\w*|\baangerand\b|\baanrand\w*|\bseksueel (?:misbruik\w*|geweld|overschrijdend"
     r"|grensoverschrijdend|aangevallen)\b|\b(?:dwingt|dwong|gedwongen|dwingen|pusht|pushte|zet|zette)"
     r" (?:\w+ ){0,3}?(?:tot|om|onder druk) (?:\w+ ){0,3}?(?:seks|sex|te vrijen|vrijen|met (?:hem|haar)"
     r" naar bed|het te doen|te neuken|neuken|seksuele|orale|pijpen|beffen)\b|\b(?:seks|sex|gevreeen|vrijen"
     r"|geneukt|neuken|betast|aangeraakt|aanraken|aan me gezeten|aan mij gezeten) (?:\w+ ){0,4}?(?:tegen"
     r" %MY_NL% (?:wil|zin)|terwijl ik (?:\w+ )?(?:sliep|nee zei|niet wilde|dronken|sliep)|zonder (?:dat ik"
     r"|mijn toestemming)|als ik nee zeg|hoewel ik nee|ook al zei ik nee|ook al zeg ik nee)\b"
     r"|\bzonder (?:mijn )?toestemming\b|\b(?:ik|k) (?:zei|zeg|riep) (?:\w+ ){0,2}?nee (?:\w+ ){0,3}?(?:maar"
     r"|en) (?:hij|ie|ze|zij) (?:\w+ ){0,2}?(?:(?:ging|gaat|gingen) (?:\w+ )?door|stopte %NOT_NL%|stopt"
     r" %NOT_NL%|deed het"
     r" toch|doet het toch|toch door|hield %NOT_NL% op)\b|\b(?:ging|gaat) (?:gewoon )?door (?:terwijl|hoewel"
     r"|ook al) (?:ik|k) (?:nee|stop)\b|\baan (?:me|mij) (?:\w+ ){0,2}?(?:gezeten|zitten|zit|zat) (?:terwijl"
     r"|toen|hoewel|ook al|zonder)\b|\bmisbruikt (?:me|mij|ons)\b|\bmisbruikte (?:me|mij|ons)\b"
     r"|\b(?:seks|sex|vrijen|neuken|naar bed|intiem)\b(?: \w+| \|){0,12}? (?:als|wanneer|ook al|hoewel"
     r"|terwijl)"
     r" (?:ik|k) (?:nee|%NOT_NL% wil|geen zin|%NOT_NL% wilde|nee zei|nee zeg)\b(?: \w+){0,6}? (?:toch|door)\b"
     r"|\b(?:verspreiden|verspreid|online zetten|online gezet|doorsturen|doorgestuurd|posten|gepost|delen"
     r"|gedeeld) (?:\w+ ){0,3}?(?:naaktfoto\w*|nudes|naaktbeelden|sekstape|seksfilmpje)\b"
     r"|\b(?:naaktfoto\w*|nudes|naaktbeelden|sekstape|seksfilmpje) (?:\w+ ){0,3}?(?:verspreiden|verspreid"
     r"|online (?:te )?zetten|doorsturen|doorgestuurd|posten|gepost|delen|gedeeld|te delen)\b"),
    (P, (S,), False,
     r"\b(?:verplicht|moet|moeten|moest) (?:\w+ ){0,3}?(?:seks|vrijen|met hem naar bed|met haar naar bed)\b"
     r"|\bgrensoverschrijdend\w*|\bmisbruik\w*|\bnaaktfoto\w*|\bongewenst\w* (?:\w+ )?(?:aangeraakt"
     r"|aanrakingen|seks|betast)\b|\bbetast\b"),
    # ---------------------------------------------------------------- self-harm / suicide, English
    (C, (H,), False,
     r"\bgodbye (?:leters?|notes?|mesages?|texts?|videos?|cards?|emails?)\b"
     r"|\b(?:afscheidsbrie\w*|afscheidsbericht\w*|afscheidsvideo\w*)\b"),
    (C, (H,), False,
     r"\b(?:giving|gave|give|giving away|given) (?:\w+ ){0,2}?(?:stuff|things|belongings|posesions|clothes"
     r"|pets)"
     r" away\b|\b(?:wont|wil not|dont|no longer|wouldnt) (?:\w+ )?need (?:it|them|any of it|anything|my \w+)"
     r" (?:anymore|any more|soon|much longer|where im going)\b"
     r"|\b(?:googled|searched|looked up|researched|reading about|read up on|looking up) (?:\w+ ){0,3}?(?:how"
     r" (?:many|much)"
     r" (?:\w+ ){0,2}?(?:pils|tablets|meds|insulin|paracetamol|tylenol)|how to (?:die|end it|overdose|hang)"
     r"|lethal"
     r" dose|painles (?:way|ways) to)\b"),
    (P, (H,), False,
     r"\b(?:dont|cant|do not|can not) (?:\w+ )?see (?:the|any) point (?:in|of|to) (?:anything|everything|it"
     r" al|life"
     r"|living|going on|trying anymore|any of it)\b|\bpoint of (?:anything|it al)\b(?= (?:\||$|anymore|right"
     r" now))"
     r"|\bwhy (?:i|im) (?:even )?(?:stil )?(?:here|alive|bothering to live)\b"),
    (C, (H,), False,
     r"\b(?:beter|hapier|easier|beter of) (?:\w+ ){0,2}?(?:if i (?:was|were|wasnt|werent|died|disapeared|left"
     r" this"
     r" world)\b(?! (?:here|around) (?:to|for)\b)|without me (?:here|around|alive)\b)"
     r"|\b(?:i|id|il|im) (?:\w+ ){0,6}?(?:dont|wont|wouldnt|didnt) wake up\b"),
    (P, (H,), False,
     r"\b(?:dont think|not sure|dont know if|dont know how|no idea how) (?:\w+ )?i (?:can|could) (?:keep"
     r" going"
     r"|go on|do this|take (?:it|this|much more)|cope|survive|handle (?:it|this)|last)\b|\bhow (?:much"
     r" )?long(?:er)? i"
     r" can (?:keep|go on|take|do|survive|cope|last)\b|\bend(?:ing)? things\b|\b(?:dont|cant|do not) see (?:a"
     r"|any)"
     r" way out\b"),
    (C, (H,), True,
     r"\b(?:kil|kiling|kils|kiled|kiling|hurt|hurting|harm|harming|cut|cuting|cuts|burn|burning|end|ending"
     r"|off|ofing|unalive|unaliving|drown|hang|hanging|starve|poison|shoot|stab) %MYSELF%\b"
     r"|\bsu(?:i|y)?(?:c|s)i?d(?:e|al|es|ing)?\b|\bsucide\w*|\bsuiside\w*|\bself ?harm\w*|\bself ?injur\w*"
     r"|\bunalive\w*|\bkms\b|\bsewer ?slide\b|\bend (?:my|my own) life\b|\bend it al\b|\btake my (?:own"
     r" )?life"
     r"|\boverdos\w*"),
    (C, (H,), False,
     r"\b(?:want|wana|wanted|wanting|wish|wishing|ready|plan|planing|deserve|should just|should|just want"
     r"|wan|wnt|want to just) (?:\w+ ){0,2}?(?:to |2 |too )?(?:die|be dead|not exist|not be alive|stop living"
     r"|stop existing|disapear forever|end (?:it al|my life|everything)|sleep forever|never wake up"
     r"|not wake up|kil me)\b"
     r"|\b(?:dont|do not|no longer|doesnt|dnt|dont even|dont realy|really dont|realy dont) (?:\w+ )?"
     r"(?:want|wana|wish) (?:\w+ )?(?:to |2 )?(?:live|be alive|exist|wake up)\b"
     r"(?! (?:with|together|in|at|there|near|like|here|without|under|alone)\b)"
     r"|\b(?:dont|do not|no longer|dnt) (?:\w+ )?(?:want|wana) (?:\w+ )?(?:to |2 )?(?:be here|be around"
     r"|go on|be on this earth|be in this world) (?:anymore|any more|no more|any longer)\b"
     r"|\b(?:no|not any|isnt any|isnt a|is no|whats the|dont se the|dont see a|cant se the|cant se a)"
     r" (?:point|reason) (?:\w+ ){0,2}?(?:in |of |to |for )?(?:living|live|life|being alive|going on|existing"
     r"|exist|carying on|staying alive)\b|\blife (?:isnt|is not|aint|not) worth (?:living|it)\b"
     r"|\b(?:tired|sick) of (?:living|life|being alive|existing)\b|\bbeter of (?:dead|without me)\b"
     r"|\b(?:wish|wishing) (?:i|id) (?:was|were|had|never|wasnt|werent|not|hadnt|didnt|could) (?:\w+ )?"
     r"(?:dead|born|alive|exist|exists|wake up|woke up|ben born|died|die)\b"
     r"|\b(?:nobody|no one|noone) (?:would|wil|wud|wd) (?:\w+ )?(?:mis me|care if i (?:died|was gone"
     r"|disapeared|wasnt here|die))\b|\b(?:everyone|everybody|they|he|she|the kids) (?:would|wil|wd) be"
     r" (?:\w+ )?(?:beter|hapier) (?:of )?without me\b|\bending (?:it al|my life)\b"
     r"|\b(?:jump|jumping|throw myself) (?:of|from|in front of|under) (?:a |the )?(?:bridge|rof|building"
     r"|train|car|balcony|window|cliff|bus)\b|\b(?:take|took|swalow|swalowed|taking|taken) (?:al|the whole"
     r"|a bunch of|a handful of|to many|too many|al of) (?:\w+ )?(?:my |the |of my )?(?:pils|tablets|meds"
     r"|medication|sleping pils|painkilers)\b|\b(?:life is|lifes) (?:pointles|meaningles|not worth)\b"
     r"|\bgodbye forever\b|\bfinal godbye\b|\b(?:say|saying|said|wrote|writing|write) (?:\w+ )?godbyes? to"
     r" (?:everyone|everybody|my kids|the kids|the world)\b|\bsuicide note\b|\bgodbye (?:note|leter)\b"
     r"|\bdone with (?:life|living|being alive)\b|\b(?:i|id|il|im) (?:\w+ ){0,6}?(?:never|not) wake up\b"
     r"|\b(?:saved up|saving up|stockpil\w*|colecting|colected|hoarding|hoarded|lined up) (?:\w+ ){0,2}?"
     r"(?:pils|tablets|meds|medication|painkilers)\b"),
    (P, (H,), False,
     r"\b(?:cant|can not|cannot) (?:do (?:this|it|any of this)|take (?:it|this)|handle (?:it|this)"
     r"|keep doing this|do this to myself|live like this|deal) (?:anymore|any more|no more|any longer)\b"
     r"|\b(?:cant|can not|cannot) (?:go on|cope|keep going|take any more|take anymore|handle life|anymore"
     r"|live like this|breathe anymore|do life)\b"
     r"|\b(?:i|im) (?:give|giving|gave) up on (?:\w+ )?(?:life|everything|myself|living)\b"
     r"|\b(?:want|wana|wish i could|just want to|want to just) (?:\w+ )?(?:to )?(?:disapear|vanish|not exist"
     r"|stop existing|not be here|fade away|go to sleep forever|be gone)\b"
     r"|\bdone with (?:it al|everything and everyone|everyone and everything)\b|\bwhats the point"
     r" (?:anymore|any more|of anything|of it al|of me|of trying anymore|of living|of life)\b|\bim a burden\b"
     r"|\b(?:feel|feeling|felt|im|im so|i am|so|completely|utterly) hopeles\b"
     r"|\bdo something (?:stupid|drastic|i regret|dumb)\b|\b(?:going|gona|about) to die\b|\brather die\b"
     r"|\bhate my life\b|\bdont (?:want|wana) (?:to )?(?:live|be here|be around|exist|go on)\b"
     r"|\b(?:want|wana) to die\b|\bend it\b(?= (?:\||$|now|tonight|today))|\bpils\b(?= (?:\||$))"
     r"|\bcut(?:ing)? again\b|\bno way out\b"),
    # ---------------------------------------------------------------- self-harm / suicide, Dutch
    (C, (H,), False,
     r"\b(?:tegen een boom|tegen een muur|tegen een vrachtwagen|in het water|in de gracht|het water in|de"
     r" snelweg op) (?:\w+ )?(?:rijden|rij|te rijden|reed|lopen|springen)\b"
     r"|\b(?:niemand|geen mens) (?:zou|zal) (?:het |me |mij )?(?:\w+ )?(?:merken|missen) (?:als|wanneer)"
     r" (?:ik|k)"
     r" (?:er )?(?:\w+ )?(?:%NOT_NL% meer|dood|weg) (?:ben|was|zou zijn|ga)\b"),
    (P, (H,), False,
     r"\b(?:wil|kwil|zou willen) (?:\w+ ){0,3}?%NOT_NL% (?:meer )?bestaan\b"),
    (C, (H,), False,
     r"\b(?:opgezocht|gegoogled|gegoogeld|gezocht|googelen|googlen|opzoeken) (?:\w+ ){0,3}?(?:hoeveel (?:\w+"
     r" )?"
     r"(?:pillen|tabletten|slaappillen|medicijnen|paracetamol)|hoe (?:je )?(?:dood ?gaat|sterft|zelfmoord)"
     r"|dodelijke dosis|pijnloos)\b|\b(?:hoeveel|welke) (?:\w+ )?(?:pillen|tabletten|slaappillen|paracetamol)"
     r" (?:\w+ ){0,3}?(?:dodelijk|nodig|genoeg)\b|\b(?:spullen|dingen|bezittingen) (?:\w+ ){0,2}?(?:weggeven"
     r"|weg ?gegeven|weg te geven)\b|\bwaarvoor (?:ik|k) (?:nog )?leef\b|\bwaarom (?:ik|k) (?:nog )?leef\b"),
    (P, (H,), False,
     r"\b(?:zit|zat|zitten) (?:er|erdoor) (?:\w+ )?(?:zo |helemaal |echt |compleet )?doorheen\b"
     r"|\bwaarvoor (?:ik|k) (?:het|dit) (?:\w+ )?(?:nog )?(?:doe|volhou)\b|\bwaarom (?:ik|k) (?:het|dit)"
     r" (?:nog )?doe\b"),
    (C, (H,), False,
     r"\b(?:ik|k) (?:\w+ )?er (?:\w+ ){0,2}?%NOT_NL% meer (?:ben|zou zijn|was|zijn|zou)\b"
     r"|\b(?:als|dat) (?:ik|k) er (?:\w+ ){0,2}?%NOT_NL% meer (?:ben|zou zijn|was|zijn)\b"
     r"|\b(?:snij|snijd|sneed|snijden|kras|krast|kraste|beschadig|beschadigde|verwond|verwondde|brand"
     r"|brandde)"
     r" (?:\w+ )?(?:mezelf|mijzelf)\b|\b(?:denk|dacht|denken) (?:\w+ ){0,2}?aan (?:de dood|doodgaan|dood gaan"
     r"|sterven|zelfmoord|een einde)\b|\b(?:klaar|gehad|op|kapot) met (?:het|mijn|mn) leven\b"),
    (P, (H,), False,
     r"\bhoe lang (?:\w+ ){0,3}?(?:volhou|volhoud|volhouden|trek|aankan|aan kan|overleef|uithou|uithoud)\b"
     r"|\b%NOT_NL% (?:meer|langer) (?:\w+ )?(?:volhou|volhoud|volhouden|uithou|uithoud|aankan)\b"
     r"|\b(?:voor altijd|voorgoed|gewoon|het liefst|liefst) (?:\w+ )?verdwijnen\b|\bverdwijnen (?:voor altijd"
     r"|voorgoed|van de aardbodem)\b"),
    (C, (H,), True,
     r"\bzelf ?moor[dt]\w*|\bzelfdoding\w*|\bsu(?:i|y)?(?:c|s)idaal\b|\bzelf ?beschadig\w*|\bautomutil\w*"
     r"|\bsnijd(?:en)? in (?:mezelf|mijn|mn)\b"
     r"|\b(?:mezelf|mijzelf|mn zelf|mijn zelf|mezelve|mij zelf|me zelf) (?:\w+ ){0,2}?(?:iets aandoen"
     r"|iets aan doen|iets aan te doen|iets aandoe|iets aan doe|wat aandoen|wat aandoe|van kant|ombrengen"
     r"|om te brengen|ombreng|doden|dood maken|pijn doen|pijn te doen|pijn gedaan|snijden|te snijden|snij"
     r"|gesneden|verwonden|ophangen|op te hangen|verdrinken|opknopen|voor de trein)\b"),
    (C, (H,), False,
     r"\b(?:wil|wou|wilde|wilt|willen|kwil|kwou|zou willen|zou graag|verlang|hoop) (?:\w+ ){0,2}?(?:dood"
     r"|doodgaan|dood gaan|sterven|er %NOT_NL% meer zijn|%NOT_NL% meer leven|%NOT_NL% meer bestaan"
     r"|%NOT_NL% (?:meer )?wakker (?:worden|te worden)|nooit meer wakker|%NOT_NL% meer verder leven"
     r"|%NOT_NL% langer leven|er niet meer zijn)\b(?! (?:voor|met|bij|van (?:de|het|schaamte))\b)"
     r"|\b(?:(?:ik|k) ((?!hij\b|ie\b|ze\b|zij\b)\w+ ){0,4}?(?:me|mij|mezelf)) (?:iets|wat) (?:aandoen|aan"
     r" doen"
     r"|aan te doen|aandoe|aan doe)\b"
     r"|\b(?:een|n|ne) ?(?:eind|einde|end) (?:\w+ )?aan (?:maken|te maken|maak|mijn leven|mn leven|me leven"
     r"|het leven|alles|mijn bestaan)\b(?! (?:met|van|aan) (?:de|deze|onze|ons|dit|die|jou|hem|haar)\b)"
     r"|\ber (?:\w+ ){0,2}?(?:een )?(?:eind|einde) aan (?:maken|te maken|maak|gemaakt|gaan maken)\b"
     r"|\b(?:mijn|mn|me) leven (?:\w+ ){0,2}?(?:beeindigen|beeindig|afmaken|stoppen|nemen)\b"
     r"|\bzie het leven (?:\w+ )?%NOT_NL% meer zitten\b|\bzag het leven (?:\w+ )?%NOT_NL% meer zitten\b"
     r"|\blevensmoe\w*|\bhet leven (?:\w+ )?(?:moe|zat|beu)\b|\bklaar met (?:het|mn|mijn) leven\b"
     r"|\b(?:%NOT_NL% meer|nooit meer) wakker (?:worden|te worden|word)\b"
     r"|\b(?:iedereen|jullie|hij|ze|zij|de kinderen|de wereld) (?:is|zijn|zou|zouden|zal|zullen|is echt)"
     r" (?:\w+ ){0,2}?beter af zonder (?:mij|me)\b|\bniemand (?:zou|zal|gaat) (?:me |mij )?(?:\w+ ){0,2}?"
     r"(?:missen|merken)\b|\b(?:alle|al mijn|al mn|een doos|een strip|een hoop|veel te veel|te veel|een"
     r" handvol|een pot) (?:\w+ )?(?:pillen|tabletten|slaappillen|medicijnen|pilletjes|paracetamol)"
     r" (?:\w+ ){0,2}?(?:innemen|nemen|slikken|geslikt|ingenomen|genomen|in te nemen|te slikken|neem"
     r"|slik)\b|\b(?:pillen|tabletten|slaappillen|medicijnen|pilletjes) (?:\w+ )?(?:klaargelegd|klaar gelegd"
     r"|klaarliggen|klaar liggen|verzameld|gespaard|opgespaard|gehamsterd|verzamel|spaar)\b"
     r"|\b(?:voor|onder) (?:de|een) (?:trein|bus|auto|vrachtwagen) (?:\w+ )?(?:springen|spring"
     r"|lopen|gaan liggen|te springen)\b|\bvan (?:een|de|het) (?:brug|flat|dak|balkon|gebouw) (?:\w+ )?"
     r"(?:springen|spring|af|te springen)\b|\b(?:weer|opnieuw|begonnen|beginnen|drang|zin|stoppen|gestopt)"
     r" (?:\w+ ){0,3}?(?:met )?(?:te )?(?:snijden|krassen)\b|\bafscheidsbrief\b|\bgeen reden (?:meer )?om"
     r" (?:nog )?(?:te leven|door te gaan)\b|\bgeen zin meer in (?:het leven|leven|mijn leven|mn leven)\b"
     r"|\bwil %NOT_NL% meer leven\b"),
    (P, (H,), False,
     r"\b(?:ik|k) (?:\w+ )?kan (?:het |dit |echt |gewoon |gwn |eigenlijk |echt gewoon |het echt |dit echt )?"
     r"(?:echt )?%NOT_NL% (?:meer|mer)\b(?= (?:\||(?:ik|k|echt|hoor|man|joh|serieus|gewoon|gwn|help|alles"
     r"|het|dit|zo|ben|wil|weet|op|aan|verder|door|hiermee|zonder)\b)|\s*$)"
     r"|\b(?:trek|trok) (?:het|dit) (?:\w+ )?%NOT_NL% (?:meer|langer)\b|\b(?:hou|houd) (?:het|dit)"
     r" (?:\w+ )?%NOT_NL% (?:meer|langer) (?:vol|uit)\b|\bkan (?:het|dit) (?:\w+ )?%NOT_NL% (?:meer )?aan\b"
     r"|\b(?:wil|kwil) (?:gewoon |echt )?%NOT_NL% meer\b(?= (?:\||(?:ik|k|echt|hoor|man|alles|leven"
     r"|verder)\b)|\s*$)|\bwil %NOT_NL% meer verder\b(?! met (?:jou|hem|haar|je|deze|onze|ons|de)\b)"
     r"|\b(?:wil|kwil) (?:gewoon |echt )?(?:verdwijnen|weg van alles|nergens meer zijn|er even niet zijn"
     r"|slapen en niet|gewoon weg)\b|\bzie het %NOT_NL% meer zitten\b|\bzie het (?:echt )?%NOT_NL%"
     r" (?:meer )?zitten\b|\b(?:het|t|alles) heeft (?:\w+ )?geen zin meer\b(?! (?:om|in) (?:te )?(?:praten"
     r"|die|de|deze|ruzie|discussieren)\b)|\b(?:ik|k) ga dood\b|\b(?:ik|k) (?:ga|doe) (?:\w+ )?iets stoms\b"
     r"|\bafscheid (?:\w+ )?(?:van iedereen|nemen van iedereen)\b|\bklaar met alles\b"
     r"|\b(?:voel|voelt|voelde) (?:me|mij|het|alles) (?:zo |zo ontzettend |echt |helemaal )?(?:hopeloos"
     r"|uitzichtloos)\b"
     r"|\b(?:nog )?liever dood\b|\bsnijden\b|\bpillen\b(?= (?:\||$))|\bgeen uitweg\b"
     r"|\bik ben een last\b|\bniks meer waard\b|\bwil dood\b|\bdood ?gaan\b(?= (?:\||$))"),
    # ---------------------------------------------------------------- children
    (C, (KIDS, V), False,
     r"\b%KIDS_EN% (?:\w+ )?(?:hide|hid|hiding|cower|cowering|cowers|flinch|flinches|flinched)\b"
     r"|\b%KIDS_EN% (?:\w+ ){0,3}?(?:said|told me|says|tells me) (?:\w+ ){0,3}?(?:hurt|hurts|hit|hits|touched"
     r"|touches|slaped|slaps|kicked|kicks|smacked|smacks|beat|beats|choked)\b"
     r"|\b%KIDS_NL% (?:\w+ ){0,3}?(?:gegrepen|gesleurd|gesleept|door elkaar geschud|pijn doet|pijn deed)\b"
     r"|\b%KIDS_NL% (?:verstoppen|verstopten|verstopt) (?:zich|zichzelf)\b"
     r"|\b%KIDS_NL% (?:\w+ ){0,3}?(?:zei|zegt|vertelde|vertelt) (?:\w+ ){0,4}?(?:pijn doet|pijn deed|slaat"
     r"|sloeg"
     r"|schopt|schopte|duwt|duwde|aanraakt|aanzit|aan zit)\b"),
    (C, (KIDS, V), False,
     r"\b(?:hits|hit|hiting|beats|beat|slaps|slaped|smacks|smacked|kicks|kicked|hurts|hurt|hurting|chokes"
     r"|choked|shoves|shoved|pushes|pushed|punches|punched|abuses|abused|abusing|molests|molested"
     r"|threatens|threatened|grabs|grabed|shakes|shook|throws|threw|spanks|spanked|whips|whiped|beating"
     r"|slaping|smacking|kicking|shoving|pushing) %KIDS_EN%"
     r"|\b%KIDS_EN% (?:are|were|is|was|seem|seems|get|gets|got|feel|felt|are so|were so|ran|run|hid|hide)"
     r" (?:\w+ ){0,2}?(?:scared|afraid|terified|frightened|hurt|hiding|bruised|crying because|beaten|hit"
     r"|terrified|to their rom|away)\b|\btouch\w* %KIDS_EN% (?:\w+ ){0,2}?(?:inapropriately|sexualy|there"
     r"|down there|private)\b|\b%KIDS_EN% (?:\w+ ){0,2}?(?:got|get|gets|was|were) (?:\w+ )?(?:hit|slaped"
     r"|kicked|beaten|hurt|pushed|shoved|smacked)\b|\bchild abuse\b"
     r"|\b(?:threw|throws|throwing|thrown|swung|swings|lashed out) (?:\w+ ){0,3}?at %KIDS_EN%"),
    (C, (KIDS, V), False,
     r"\b(?:slaat|sloeg|slaan|geslagen|schopt|schopte|geschopt|trapt|trapte|duwt|duwde|geduwd|knijpt|kneep"
     r"|mishandelt|mishandelde|mishandeld|misbruikt|misbruikte|bedreigt|bedreigde|grijpt|greep|schudt"
     r"|schudde|gooit|gooide|smijt|smeet|klopt|klopte|mept|mepte|stompt|stompte|tikt|tikte|pijn doet"
     r"|pijn deed) (?:\w+ ){0,2}?%KIDS_NL%\b"
     r"|\b%KIDS_NL% (?:\w+ ){0,3}?(?:geslagen|geschopt|getrapt|geduwd|mishandeld|misbruikt|bedreigd"
     r"|pijn gedaan|blauwe plekken|klappen gekregen|een klap|slaag)\b"
     r"|\b%KIDS_NL% (?:zijn|waren|is|was|worden|werden|durven|durfden|durft|durfde|voelen|voelden|voelt"
     r"|huilen"
     r"|huilden|huilt|wil|wilt|willen|verstopt|beeft|trilt|rent"
     r"|verstoppen|verstopten|worden er) (?:\w+ ){0,3}?(?:bang|doodsbang|angstig|%NOT_NL% (?:meer )?(?:naar"
     r" huis|thuis|bij hem|bij haar|veilig)|onveilig|schrik)\b|\bkindermishandeling\b"),
    (P, (KIDS,), False,
     r"\b%KIDS_EN% (?:saw|watched|witnessed|heard) (?:him|her|it al|everything|the violence)\b"
     r"|\b(?:social services|child services|child protective services|cps)\b|\b(?:jeugdzorg|kinderbescherming"
     r"|jeugdbescherming"
     r"|vertrouwensarts)\b|\b(?:kidnap\w*|ontvoer\w*)\b|\b(?:pakt|neemt|nemen|afpakken|afnemen|afgepakt)"
     r" (?:\w+ ){0,2}?%KIDS_NL% (?:\w+ ){0,2}?(?:af|mee|van me|weg)\b(?! (?:naar|om|voor)\b)"
     r"|\b(?:zie|zien) %KIDS_NL% (?:\w+ )?nooit meer\b"),
)

_KID_WORD = _compile(
    r"\b(?:kids?|children|child|sons?|daughters?|toddler|stepson|stepdaughter|kinderen|kinders|kindje"
    r"|kindjes|zoontje|dochter|dochtertje|kleintjes|tweeling)\b|\b(?:ons|mijn|mn|het|een) kind\b"
    r"|\b(?:mijn|mn|me|onze|ons|zijn|zn|haar|dr|de) zoon\b"
)
_CHILD_LINKED = frozenset({V, T, W, S, F})
del C, P, V, T, W, F, K, S, H, KIDS  # short names for the rule table only

def _words(text: str) -> frozenset[str]:
    """Words as they appear in the skeleton (letter runs squashed: "nooit" -> "noit")."""
    return frozenset(_LETTER_RUN.sub("", w) for w in text.split())


_NEGATORS = _words(
    "never not didnt doesnt dont wouldnt wont hasnt havent isnt wasnt nooit niet nie ni geen dint didn dnt"
)
_STOP_WORDS = _words("stop stops stopped stopping stopt stopte stoppen ophouden")
_NL_AFTER_NEG = _words("niet nie ni nooit")


# --------------------------------------------------------------------------------------------
# Matching engine: every top-level alternative of every rule is compiled on its own and indexed
# by the first letters of the word it must start at, so a message only runs the few
# alternatives whose first word actually occurs in it (``match`` at those word starts). The
# plain way -- one big ``search`` per rule group -- gives the same answers ~10x slower; it is
# kept as ``_assess_slow`` so the tests can check the two agree.
# --------------------------------------------------------------------------------------------


def _split_alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level ``|`` (outside groups and character classes)."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


# A tiny parse of the regex subset the rules use, just enough to know which word a match can
# start with. Items: ("lit", c) letter/digit, ("wb",) \b, ("zero",) other zero-width,
# ("end",) space or "|" (a word ends), ("any",) anything else, ("grp", alts, min, max).
_Item = tuple[object, ...]
_Seq = tuple[_Item, ...]
_INF = 1 << 30


def _parse(pattern: str) -> _Seq | None:
    try:
        alts, i = _parse_alts(pattern, 0)
    except (IndexError, ValueError):
        return None
    if i != len(pattern) or len(alts) != 1:
        return (("grp", tuple(alts), 1, 1),) if i == len(pattern) else None
    return alts[0]


def _parse_alts(p: str, i: int) -> tuple[list[_Seq], int]:
    alts: list[_Seq] = []
    seq: list[_Item] = []
    while i < len(p) and p[i] != ")":
        if p[i] == "|":
            alts.append(tuple(seq))
            seq = []
            i += 1
            continue
        item, i = _parse_atom(p, i)
        lo, hi, i = _parse_quantifier(p, i)
        if (lo, hi) != (1, 1):
            item = ("grp", ((item,),), lo, hi)
        seq.append(item)
    alts.append(tuple(seq))
    return alts, i


def _parse_atom(p: str, i: int) -> tuple[_Item, int]:
    ch = p[i]
    if ch == "\\":
        esc = p[i + 1]
        kind: _Item = ("wb",) if esc == "b" else ("end",) if esc in "|s" else ("any",)
        return kind, i + 2
    if ch == "[":
        j = i + 2 if p[i + 1] == "]" else i + 1
        while p[j] != "]":
            j += 2 if p[j] == "\\" else 1
        return ("any",), j + 1
    if ch == "(":
        zero = False
        if p.startswith("(?:", i):
            i += 3
        elif p.startswith(("(?=", "(?!"), i):
            zero, i = True, i + 3
        elif p.startswith(("(?<=", "(?<!"), i):
            zero, i = True, i + 4
        elif p.startswith("(?P<", i):
            i = p.index(">", i) + 1
        elif p.startswith("(?", i):
            raise ValueError(p[i : i + 4])
        else:
            i += 1
        alts, i = _parse_alts(p, i)
        if p[i] != ")":
            raise ValueError("unbalanced")
        return (("zero",) if zero else ("grp", tuple(alts), 1, 1)), i + 1
    if ch in "^":
        return ("zero",), i + 1
    if ch in " $":
        return ("end",), i + 1
    if ch.isalnum():
        return ("lit", ch), i + 1
    return ("any",), i + 1


def _parse_quantifier(p: str, i: int) -> tuple[int, int, int]:
    if i >= len(p) or p[i] not in "?*+{":
        return 1, 1, i
    ch = p[i]
    if ch == "{":
        j = p.index("}", i)
        body = p[i + 1 : j]
        lo_s, _, hi_s = body.partition(",")
        lo = int(lo_s or 0)
        hi = lo if "," not in body else (int(hi_s) if hi_s else _INF)
        i = j + 1
    else:
        lo, hi = {"?": (0, 1), "*": (0, _INF), "+": (1, _INF)}[ch]
        i += 1
    if i < len(p) and p[i] == "?":
        i += 1
    return lo, hi, i


def _first_keys(seq: _Seq, acc: str = "", seen_wb: bool = False, depth: int = 0) -> frozenset[str] | None:
    r"""Keys for the first word a match of ``seq`` can start at; None when it cannot be told.

    A key is the word's first three letters, or the whole word when shorter ("he"), or
    "~" + one or two letters when the word may go on with anything ("~ab" for ``ab\w*``).
    """
    if depth > 60:
        return None
    for n, item in enumerate(seq):
        kind = item[0]
        if kind == "zero":
            continue
        if kind == "wb":
            if acc:
                return frozenset({acc})
            seen_wb = True
            continue
        if kind == "end":
            return frozenset({acc}) if acc else None
        if kind == "any":
            return frozenset({"~" + acc}) if acc else None
        if kind == "lit":
            if not acc and not seen_wb:
                return None
            acc += str(item[1])
            if len(acc) == 3:
                return frozenset({acc})
            continue
        # group
        alts, lo, hi = item[1], item[2], item[3]
        assert isinstance(alts, tuple) and isinstance(lo, int) and isinstance(hi, int)
        rest = seq[n + 1 :]
        keys: set[str] = set()
        if lo == 0:
            sub = _first_keys(rest, acc, seen_wb, depth + 1)
            if sub is None:
                return None
            keys |= sub
        again: _Seq = () if hi <= 1 else (("grp", alts, max(lo - 1, 0), hi - 1),)
        for alt in alts:
            sub = _first_keys((*alt, *again, *rest), acc, seen_wb, depth + 1)
            if sub is None:
                return None
            keys |= sub
        return frozenset(keys)
    return frozenset({acc}) if acc else None


def _ends_at_boundary(item: _Item) -> bool:
    r"""True for a group whose every alternative ends with a space or \b (a word ends there)."""
    if item[0] in ("end", "wb"):
        return True
    if item[0] != "grp":
        return False
    alts = item[1]
    assert isinstance(alts, tuple)
    return all(alt and _ends_at_boundary(alt[-1]) for alt in alts)


# Words (as keys) too frequent to be worth indexing on when a rarer word is also required.
_COMMON_WORDS = (
    "i me my you u your he him his she her it its we us our they them the a an and or but to of in on at"
    " for with is are was were be been am im dont not no so this that just like really very ik mij mijn mn"
    " je jij jou hij hem ze zij haar het de een en maar dat die dit er ben was zijn niet geen wel nog al"
    " ook toch dan als wat met van op aan voor om te naar bij uit door zo nu echt gewoon heel weer k iets"
    " niks niets alles meer nooit altijd even ga gaat doe doet heb heeft had kan wil zou zal moet mag laat"
    " zegt zei get got go going do did have had can will would said says told want know think again all"
    " out up about when what why how then there one some any never always ever even still more much"
)


def _key_of(word: str) -> str:
    word = _LETTER_RUN.sub("", word)
    return word[:3]


_COMMON_KEYS = frozenset(_key_of(w) for w in _COMMON_WORDS.split())


def _rarity(keys: frozenset[str]) -> int:
    return sum(1000 if k in _COMMON_KEYS else 30 if k.startswith("~") else 1 for k in keys)


def _gate(seq: _Seq, first: frozenset[str]) -> frozenset[str]:
    """The rarest word (as keys) a match must also contain, if rarer than its first word."""
    best, best_score = frozenset[str](), _rarity(first)
    at_word_start, consumed = False, False
    for n, item in enumerate(seq):
        kind = item[0]
        if kind == "zero":
            continue
        if kind in ("end", "wb"):
            at_word_start = consumed or at_word_start
            continue
        required = kind != "grp" or int(str(item[2])) >= 1
        if at_word_start and consumed and required:
            keys = _first_keys(seq[n:], seen_wb=True)
            if keys and _rarity(keys) < best_score:
                best, best_score = keys, _rarity(keys)
        consumed = True
        at_word_start = kind == "grp" and _ends_at_boundary(item) and (required or at_word_start)
    return best


@dataclass(frozen=True, slots=True)
class _Alt:
    level: Level
    categories: frozenset[Category]
    negation_aware: bool
    regex: re.Pattern[str]
    keys: frozenset[str] | None
    gate: frozenset[str]


def _build_alts(rules: tuple[_RuleSpec, ...]) -> tuple[_Alt, ...]:
    alts: list[_Alt] = []
    for level, cats, neg, pattern in rules:
        for part in _split_alternatives(_expand(pattern)):
            parsed = _parse(part)
            keys = None if parsed is None else _first_keys(parsed)
            gate = frozenset[str]() if parsed is None or keys is None else _gate(parsed, keys)
            alts.append(_Alt(level, frozenset(cats), neg, re.compile(part), keys, gate))
    # CLEAR first, so POSSIBLE alternatives of an already-found category can be skipped.
    alts.sort(key=lambda a: -a.level)
    return tuple(alts)


@dataclass(frozen=True, slots=True)
class _Probe:
    """Alternatives sharing a first-word key, a gate and an outcome, compiled as one regex."""

    level: Level
    categories: frozenset[Category]
    negation_aware: bool
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Bucket:
    """Everything that can start at one word key and needs the same gate word (if any)."""

    gate: frozenset[str]
    union: re.Pattern[str] | None  # matches wherever one of several probes would: a cheap first test
    probes: tuple[_Probe, ...]
    level: Level  # the most this bucket can add ...
    categories: frozenset[Category]  # ... and which categories


_COMPILED: dict[str, re.Pattern[str]] = {}


def _union_of(patterns: list[str]) -> re.Pattern[str]:
    source = "|".join(f"(?:{p})" for p in dict.fromkeys(patterns))
    found = _COMPILED.get(source)
    if found is None:
        found = _COMPILED[source] = re.compile(source)
    return found


def _buckets(alts: tuple[_Alt, ...]) -> dict[str, tuple[_Bucket, ...]]:
    grouped: dict[str, dict[frozenset[str], list[_Alt]]] = {}
    for alt in alts:
        for key in alt.keys or ():
            grouped.setdefault(key, {}).setdefault(alt.gate, []).append(alt)
    result: dict[str, tuple[_Bucket, ...]] = {}
    for key, by_gate in grouped.items():
        buckets: list[_Bucket] = []
        for gate, members in by_gate.items():
            outcomes: dict[tuple[Level, frozenset[Category]], list[str]] = {}
            probes: list[_Probe] = []
            for alt in members:
                if alt.negation_aware and alt.level is Level.CLEAR:
                    probes.append(_Probe(alt.level, alt.categories, True, alt.regex))
                else:
                    outcomes.setdefault((alt.level, alt.categories), []).append(alt.regex.pattern)
            probes.extend(_Probe(lv, cats, False, _union_of(ps)) for (lv, cats), ps in outcomes.items())
            probes.sort(key=lambda pr: -pr.level)
            union = _union_of([a.regex.pattern for a in members]) if len(probes) > 1 else None
            level = max(pr.level for pr in probes)
            cats = frozenset(c for pr in probes for c in pr.categories)
            buckets.append(_Bucket(gate, union, tuple(probes), level, cats))
        result[key] = tuple(buckets)
    return result


_ALTS = _build_alts(_RULES)
_IDIOM_ALTS = _build_alts(tuple((Level.NONE, (), False, p) for p in (*_IDIOMS_EN, *_IDIOMS_NL)))
_UNKEYED = tuple(a for a in (*_ALTS, *_IDIOM_ALTS) if a.keys is None)
if _UNKEYED:  # every alternative must start at a word we can index, or it would never be tried
    raise RuntimeError(f"safety rules without a first word: {[a.regex.pattern for a in _UNKEYED]}")
_RULE_BUCKETS = _buckets(_ALTS)
_IDIOM_BUCKETS = _buckets(_IDIOM_ALTS)

# Each bucket is looked up through its rarest requirement: its gate word when it has one (and its
# first word is then checked), its first word otherwise.
_Lookup = dict[str, dict[str, tuple[_Bucket, ...]]]
"""word present -> {the other word the bucket needs: buckets}: two set-like lookups instead of a scan."""


def _lookup(buckets: dict[str, tuple[_Bucket, ...]]) -> _Lookup:
    via: dict[str, dict[str, list[_Bucket]]] = {}
    for key, members in buckets.items():
        for bucket in members:
            for word in bucket.gate or (key,):
                via.setdefault(word, {}).setdefault(key, []).append(bucket)
    return {w: {k: tuple(v) for k, v in groups.items()} for w, groups in via.items()}


_RULE_LOOKUP = _lookup(_RULE_BUCKETS)
_IDIOM_LOOKUP = _lookup(_IDIOM_BUCKETS)


def _relevant(where: dict[str, list[int]], lookup: _Lookup) -> list[tuple[str, _Bucket]]:
    """The buckets whose first word and gate word both occur, each once, CLEAR ones first."""
    found: dict[int, tuple[str, _Bucket]] = {}
    present = where.keys()
    for word in where:
        groups = lookup.get(word)
        if groups is not None:
            for key in groups.keys() & present:
                for bucket in groups[key]:
                    found[id(bucket)] = (key, bucket)
    if len(found) < 2:
        return list(found.values())
    return sorted(found.values(), key=_level_first)  # CLEAR first: later buckets can often be skipped


def _level_first(kb: tuple[str, _Bucket]) -> int:
    return -kb[1].level


_ALL_KEYS = frozenset((*_RULE_BUCKETS, *_IDIOM_BUCKETS, *(k for a in (*_ALTS, *_IDIOM_ALTS) for k in a.gate)))
_WANT_P1 = any(k.startswith("~") and len(k) == 2 for k in _ALL_KEYS)
_WANT_P2 = any(k.startswith("~") and len(k) == 3 for k in _ALL_KEYS)


def _positions(skel: str) -> dict[str, list[int]]:
    """key -> start offsets of the words in ``skel`` (which is " word word | word ")."""
    where: dict[str, list[int]] = {}
    pos = 1
    for token in skel[1:-1].split(" "):
        if token[:1] != "|":
            key = token[:3]
            found = where.get(key)
            if found is None:
                where[key] = [pos]
            else:
                found.append(pos)
        pos += len(token) + 1
    if _WANT_P1 or _WANT_P2:  # only when some rule starts with a short open-ended prefix
        pos = 1
        for token in skel[1:-1].split(" "):
            if token[:1] != "|":
                for key in ("~" + token[:1], "~" + token[:2]):
                    where.setdefault(key, []).append(pos)
            pos += len(token) + 1
    return where


def _negated(skel: str, start: int, end: int) -> bool:
    """A negator in the three words before the match, inside it, or a Dutch "niet" just after it."""
    before = skel[max(0, start - 40) : start].rsplit("|", 1)[-1].split()[-3:]
    inside = skel[start:end].split()
    after = skel[end : end + 24].split("|", 1)[0].split()[:2]
    words = before + inside
    if any(w in _STOP_WORDS for w in words + after):
        return False
    return any(w in _NEGATORS for w in words) or any(w in _NL_AFTER_NEG for w in after)


def _tidy(skel: str) -> str:
    """Single spaces, one "|" between sentences, none at the ends, padded with a space."""
    words = skel.split()
    if "|" in words:
        words = [w for n, w in enumerate(words) if w != "|" or (n > 0 and words[n - 1] != "|")]
        while words and words[0] == "|":
            words.pop(0)
        while words and words[-1] == "|":
            words.pop()
    return f" {' '.join(words)} "


def _blank(skel: str, spans: list[tuple[int, int]]) -> str:
    """Overwrite each span (widened to the end of its last word) with "|" characters.

    Keeping the length keeps every other word where it was, so the word index stays valid.
    """
    chars = list(skel)
    for start, end in spans:
        stop = skel.find(" ", max(end, start + 1) - 1)
        stop = len(skel) - 1 if stop < 0 else stop
        chars[start:stop] = "|" * (stop - start)
    return "".join(chars)


def _rewritten(text: str) -> str:
    skel = _skeleton(text)
    changed = False
    for need, regex, replacement in _REWRITES:
        if need in skel:
            skel, count = regex.subn(replacement, skel)
            changed = changed or count > 0
    return _tidy(skel) if changed else skel


def _prepared(text: str) -> tuple[str, dict[str, list[int]]]:
    """The skeleton with idioms blanked out, and its word index."""
    skel = _rewritten(text)
    where = _positions(skel)
    spans: list[tuple[int, int]] = []
    for key, bucket in _relevant(where, _IDIOM_LOOKUP):
        for start in where[key]:
            if bucket.union is not None and bucket.union.match(skel, start) is None:
                continue
            for probe in bucket.probes:
                m = probe.regex.match(skel, start)
                if m and m.end() > start:
                    spans.append((start, m.end()))
    if not spans:
        return skel, where
    skel = _blank(skel, spans)
    return skel, {k: kept for k, ps in where.items() if (kept := [p for p in ps if skel[p] != "|"])}


def _finish(level: Level, cats: set[Category], skel: str) -> Assessment:
    if cats & _CHILD_LINKED and Category.CHILDREN not in cats and _KID_WORD.search(skel):
        cats.add(Category.CHILDREN)
    if not cats:
        return _NOTHING
    return Assessment(level, frozenset(cats))


_NOTHING = Assessment(Level.NONE, frozenset())


def assess(text: str) -> Assessment:
    """Classify one message. Never raises; NONE if and only if no category fired."""
    if not text or text.isspace():
        return _NOTHING
    skel, where = _prepared(text)
    level = Level.NONE
    cats: set[Category] = set()
    for key, bucket in _relevant(where, _RULE_LOOKUP):
        if bucket.level <= level and bucket.categories <= cats:
            continue
        union = bucket.union
        starts = where[key]
        if union is not None:
            starts = [st for st in starts if union.match(skel, st)]
        for probe in bucket.probes if starts else ():
            if probe.level <= level and probe.categories <= cats:
                continue
            hit = Level.NONE
            for start in starts:
                m = probe.regex.match(skel, start)
                if m is None:
                    continue
                if probe.negation_aware and _negated(skel, start, m.end()):
                    hit = Level.POSSIBLE
                    continue
                hit = probe.level
                break
            if hit:
                level = max(level, hit)
                cats |= probe.categories
    return _finish(level, cats, skel)


def _assess_slow(text: str) -> Assessment:
    """Reference implementation without the word index: every alternative is searched in full.

    Used by the tests to check that indexing never loses a match.
    """
    if not text or text.isspace():
        return _NOTHING
    skel = _rewritten(text)
    spans = [(m.start(), m.end()) for a in _IDIOM_ALTS for m in a.regex.finditer(skel) if m.end() > m.start()]
    skel = _blank(skel, spans) if spans else skel
    level = Level.NONE
    cats: set[Category] = set()
    for alt in _ALTS:
        matches = list(alt.regex.finditer(skel))
        if not matches:
            continue
        hit = alt.level
        negatable = alt.negation_aware and alt.level is Level.CLEAR
        if negatable and all(_negated(skel, m.start(), m.end()) for m in matches):
            hit = Level.POSSIBLE
        level = max(level, hit)
        cats |= alt.categories
    return _finish(level, cats, skel)

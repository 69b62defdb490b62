"""Danger signals judged from concepts: who does what to whom, with what, when -- no words at all.

Theory of operation
-------------------
The shell (``bot/reader.py``) reads a message into a :data:`Reading`: one entry per token, each the
set of *concepts* that token stands for (``hit``, ``me``, ``he``, ``weapon``, ``not``, ``joke`` ...).
Inflections, typos, Flemish and txt-speak forms, and which language the message is in are all settled
there, from the vocabulary per language (``bot/i18n/<locale>/danger.toml``). What reaches this module
is language-free, so the judgement below is the same for every language and holds no word of any.

Danger is a *combination* of concepts, written as the :data:`FRAMES` table: a category, a level, and
groups of concepts that must all occur close together ("hit|choke|shove  me|us": an act against the
person writing). A frame is looked for in a *clause* (a stretch between commas, "and", "but", "that"
...: the reader marks those as ``,``) or, when it says so, in the whole sentence (``|``). Each group is
one or more concepts separated by ``|``; a group starting with ``!`` blocks the frame when present.

Then the context, all as concepts again:

* negation: a ``not`` just before the frame's words (no new subject in between, no ``stop``, as in
  "won't stop hitting me") cancels it; with a residue ("anymore", "this time", "almost") it stays
  POSSIBLE. Frames that *need* a negation ("not allowed", "won't let me") list ``not`` themselves.
* quoted speech: after a speech verb ("he said ...") where the quote addresses *you*, the speaker's
  "I" is the partner and "you" is the person writing: "he said 'I will kill you'" reads as a threat.
* jokes: a joke marker ("lol", "haha", an emoji) drops frames marked ``idiom`` (kill, murder, die:
  words people use in jest), never a plain act: "he hit me lol" is still violence.
* media ("in the film ...") and long ago ("when I was little ...") drop what happened to others; what
  happened to the writer long ago is asked about, not treated as danger now.

The result is the highest level among the frames that fired, with their categories. When in doubt the
table prefers POSSIBLE over NONE: asking "are you safe?" once too often is cheap, missing danger is not.
Pure, total and fast: a sentence without any frame's first concept costs one set test.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import contains

__all__ = [
    "FRAMES", "HUNCH", "ORDINARY", "SURE", "Assessment", "Category", "Level", "Reading", "assess", "concepts",
    "explain",
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
    STALKING = "stalking"
    SEXUAL = "sexual"
    SELF_HARM = "self_harm"
    CHILDREN = "children"


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    categories: frozenset[Category]


Reading = tuple[frozenset[str], ...]
"""A message as the reader saw it: per token, the concepts it stands for; ``|`` ends a sentence and
``,`` a clause. The empty reading is a message with nothing in it."""

SENTENCE = "|"
CLAUSE = ","

# --------------------------------------------------------------------------------------------
# The frames. Columns: category, level (C clear, P possible), then the concept groups, then options:
#   span=N    the frame's words lie within N tokens (default 6)
#   sentence  look in the whole sentence, not one clause
#   idiom     words people use in jest: a joke marker drops it
#   kids      the victim group may be the children: adds the category children
#   short=N   only a clause of at most N tokens ("help me", not "help me with the dishes")
#   neg=P     negated, it is still worth asking about
#   message   in a short message (up to 40 tokens), look across its sentences too
#   terse     look across sentences only when each is a fragment of a few words ("pills. tonight.")
#   net       the safety net: a strong danger word near the partner or the writer, asked about (POSSIBLE)
#             when nothing sharper says more; never adds up to CLEAR, a joke drops it (as an idiom)
# --------------------------------------------------------------------------------------------

FRAMES_TABLE = """
# ---- names for groups used often ("@acts" in a group stands for all of these)
@acts     hit|choke|shove|abuse|stab|shoot|run_over|drown|burn
@harm     hit|choke|shove|abuse|kill|hurt|stab|shoot|burn|drown|run_over|destroy|bury|break
# ---- violence: an act against the writer
violence  C  @acts  me|us                                         span=4  !myself
violence  C  hit|choke|shove|grab|abuse|break  my|our  body|throat  !i  span=5
violence  C  grab|hurt  me|us  throat|hard|violent               span=6
violence  C  i|we  passive  hit|choke|shove|abuse|stab|shoot      span=4  !by_thing
violence  C  blow  me|us|i                                       span=6
violence  C  injury  i|me|my|we|us|our  he|him|his|partner|you   sentence
violence  P  injury  i|me|my                                     span=6  !sport
violence  C  abuse|violent  he|partner|you                       span=6  !job  !media  !sport  !relative  wide
violence  C  violent  me|us                                      span=4
violence  P  grab|hurt  me|us                                    span=4
violence  P  rough  he|partner|you|me                            span=6
violence  P  hit|shove|break  thing                              span=5  !i  !we
violence  P  menace                                               span=6  !sport
violence  C  menace  soon|yell                                   span=8  sentence  !sport
violence  C  hit|shove|break|menace  door  he|partner            sentence  span=10
violence  C  choke  i|me|my  throat|breath                       sentence  span=10  !sport  wide
violence  P  police  summon                                       span=6  sentence  !job
violence  P  i  hit|choke|shove|abuse  him|partner|you            span=4  !would  !want  idiom
violence  P  hit|choke|shove|abuse|hurt  pet  he|partner|you      sentence
violence  C  hit|choke|shove|grab|abuse|break  he|partner|ex  my|our  body|throat  span=4
violence  P  physical_got                                         span=6  !sport  !job  !media
violence  C  hurt  me|us  violent                                  span=8  sentence
violence  P  passive  violent                                      span=6  !sport  !job  !media
# ---- children
children  C  hit|choke|shove|grab|abuse|blow  kid                 span=8  sentence  kids
children  C  hurt  kid                                            span=8  sentence  !body  kids
children  C  hurt  kid  body  he|him|partner|parent|you           sentence  kids
children  C  injury|fear|hide|tremble  kid  !phobia              span=8  kids
children  C  kid  fear|scare  he|him|partner|parent|his           sentence  kids  !phobia
children  C  sexual_act|rape|touch_bad  kid                       span=8  kids
children  P  kid  witness                                         span=6  kids
children  P  child_services                                       span=6  kids
children  C  lock  kid                                            span=8  sentence  kids
children  C  kid  drunk  drive                                    sentence  kids
children  P  kid  anger|hard|yell  he|partner|parent              sentence  kids
children  C  kid  drive  reckless|crash                          sentence  kids
children  P  kid  hit|shove|break  door|thing  he|his|parent|partner  sentence  kids  !i
# ---- threats
threat    C  threaten  @harm|die|suicide|weapon|nudes|kid              sentence
threat    C  threaten  me|us|i|kid|family                        span=5  !leave  !cancel  wide
threat    P  threaten                                             span=6  !leave  !cancel  wide
threat    C  say|will|would  @harm|dead  me|us|kid|family|you|body  he|partner|you  sentence  idiom  !discover  !third
threat    P  will  kill|destroy|bury|dead  me|us                 span=6  idiom  !parent  !it  !third  wide
threat    P  if  dead  i|me                                      sentence  idiom  !third  !parent
threat    C  take_kids  soon|never_again|drunk                   sentence
children  C  kid  drive|take|take_kids  never_again|drunk        sentence  kids
threat    C  if  leave  @harm|dead|find|regret|take_kids|payback      sentence  idiom  !third
threat    C  say  payback  he|partner                             sentence  idiom
threat    C  possess                                               span=8
threat    P  say|you  will|would  regret                          sentence
threat    C  say  regret  leave                                    sentence  idiom  !third
threat    P  payback                                               span=6  idiom
threat    P  know_home                                             span=6
threat    C  he|partner|say  suicide|kill_self  if|threaten       sentence
threat    C  kill|hurt|end  himself  if|threaten|say               sentence
threat    P  take_kids                                             span=6
threat    C  take_kids  threaten|if|say                           sentence
threat    P  i  will  kill|hurt|stab|shoot  him|partner|you       span=6  !would  idiom
threat    P  kys                                                   span=3
threat    C  burn|destroy|smash  will|would|threaten  my|our|your  possession|home|by_thing  sentence  !i
threat    C  aim_miss  next_time|hit|shove|weapon|@harm  he|partner|say  sentence
threat    C  he|partner|say  will  crash  me|us|all|kid             sentence
threat    C  if  leave  ensure  kid|not|never_again                 sentence
threat    P  ensure  kid  not|never_again  say|will                 sentence
threat    P  do|make  regret  say|he|you                            sentence  idiom  neg=P
# ---- weapons
weapon    C  weapon  wield                                         span=8  sentence  !toy  !media  !cook  wide
weapon    C  weapon  me|us|my|our  body|throat                     span=7  sentence  !toy
weapon    C  weapon  me|us                                         span=4  !toy  !cook
weapon    C  weapon  he|his|partner                                span=6  !cook  !toy  !media  wide
weapon    C  stab|shoot  me|us                                     span=4  !media
weapon    P  weapon                                                span=6  !cook  !toy  wide
weapon    C  fire_tool  wield|pour  me|us|my|our  body|throat|home|possession  sentence  !cook
# ---- fear of the partner
fear      C  fear  him|partner|his                                 span=4  !loss  !fear_benign  !phobia  wide
fear      C  fear  he|partner  @harm|find|do|snap|temper|weapon|kid  span=9  sentence  !loss  !fear_benign  !third
fear      P  fear  he|partner                                      span=4  !loss  !fear_benign  wide
fear      C  he|partner|his  scare  me|us                          span=12  sentence  !loss  !fear_benign  !third
fear      C  fear  life                                            span=4
fear      C  not  safe  i|me|us|we|home                            span=6  !emotional
fear      C  unsafe  i|me|us|we|home|he|him|life                  span=6  !emotional
fear      P  unsafe                                                span=6  !emotional
fear      C  hide  me|myself|us                                    span=6  !game  !want
fear      C  hide  i|we  him                                       sentence  !game  !want
fear      C  hide  hide_place                                      span=6  !game  !want
fear      P  hide  i|me|myself|we|us                               span=6  !game
fear      P  fear                                                  span=6  !loss  !phobia  !fear_benign  !anger  wide
fear      P  tremble|eggshells|flee|dare_not|stuck_out             span=6  !anger  !sport  wide
fear      C  dare_not|stuck_out  he|him|partner  home|asleep       sentence  !want  !pastime
fear      C  dare_not  home                                        sentence  !want
fear      C  dare_not|stuck_out  home  soon                        sentence
fear      C  escape_plan                                           span=8
fear      P  safe  not                                             span=5  sentence  !emotional
fear      P  help                                                  short=4
fear      P  shelter  i|me|we|us                                   span=8  !job
fear      C  i  dare  not  home                                    sentence  !want
fear      P  i  dare  not  him|he|partner                          sentence  !say
fear      C  tremble  his|he|him|partner  arrival|repeat           sentence  !anger  !sport  !cook
fear      P  uneasy  home|arrival                                   sentence  !phobia  !fear_benign  !sport
fear      C  fear  he|partner  blowup  will|again|repeat|soon      sentence  !fear_benign
fear      C  fear|dare_not  sleep|asleep  him|he|partner           sentence  !phobia
fear      P  unpredictable  he|him|his|partner                     sentence
fear      P  know  not  he|partner  do|snap|blowup                 span=8  sentence
# ---- coercive control
control   C  lock  me|us                                           span=5  !feel
control   P  lock  me|us|i                                          span=5
control   P  trapped                                               span=6
control   C  allow  not  i|we                                      span=7  !you
control   C  let  not  me|us                                       span=6  !go_of
control   C  he|partner|you  take|hide|smash  my|our  possession   span=10  sentence
control   C  lock|trapped  take  possession                        sentence
control   C  take|hide|smash  my|our  possession  away             span=7
control   C  money_control                                         span=8
control   P  obey                                                  span=8
control   C  obey  possession|money|allow|let                      sentence
control   C  give  not  money|possession  me|us|i                  span=8
control   C  give  my|our  money  him|he|partner                   span=8
control   C  access  not  money                                    span=8
control   C  block  door                                           span=5
control   C  isolate|forbid|dictate  me|us|i                       span=6
control   P  check  my|our  possession|messages|location           span=6
control   P  controlling                                           span=6  idiom
control   P  kick_out                                              span=6
control   P  permission                                            span=6
control   P  allowance                                             span=6
control   P  cannot  leave                                         span=4  !it
control   P  location  repeat|must|want                            span=8  sentence
control   P  he|partner  password  must|want|give|check|not        sentence
control   P  he|partner  anger|snap|blowup  i  friend  if|not       sentence
control   C  must  location  him|he|partner  blowup|anger|payback|otherwise  sentence
control   C  he|partner  menace|trapped  cannot|not  away|leave    sentence
# ---- stalking
stalking  C  follow|track  me|us                                   span=5  !social
stalking  C  follow|track  my|our  location|possession|car         span=7  !social
stalking  C  stalk  me|us|i                                       span=6  !social  !third
stalking  C  order  breach                                         span=8
stalking  C  show_up  soon                                         sentence
stalking  P  many  contact                                         span=6
stalking  C  tracker  !i                                           span=6
stalking  P  stalk                                                 span=6  !social
stalking  P  track                                                 span=6  !social
stalking  C  show_up  repeat                                       sentence
stalking  C  check  my|our  possession|messages|location  repeat|all  sentence
stalking  P  stalk|track|follow  social                            span=6  idiom
stalking  P  track  location                                       span=6
stalking  P  show_up  he|partner                                   span=8  sentence
stalking  C  show_up  ex                                           span=8  sentence
stalking  P  bombard                                               span=6
stalking  C  break_in  he|partner|ex|you  my|our  account|password   span=6  !his
stalking  C  break_in  he|partner|ex  my|our  account|password       sentence  !i  !his
stalking  C  track|tracker|record  secret                          sentence  !i
stalking  C  track|tracker  witness  me|us                         sentence
stalking  P  he|partner  know  thing  not  say                     sentence
stalking  P  ex  again|repeat  position|show_up                   sentence
stalking  C  he|partner  discover|witness|check  my|our  location  repeat|all  sentence
# ---- sexual coercion
sexual    C  rape                                                  span=6
sexual    C  force  sex                                            span=8  sentence
sexual    C  make  me|us  sex                                      span=6
sexual    C  sex  against_will                                     span=10  sentence
sexual    C  say_no  continue|start                                span=10  sentence
sexual    C  say_no  do|touch|sex  he|partner                      span=10  sentence
sexual    C  undress  my|me  he|partner                            sentence
sexual    C  sex  if  @harm|leave|payback|money                    sentence
sexual    C  nudes  if|threaten|say|will                          sentence
sexual    P  nudes  he|partner                                     span=8
sexual    C  pics  asleep|against_will                             sentence
sexual    C  share|record  pics  if|threaten                       sentence
sexual    P  share  pics  will|say  he|partner                     sentence
sexual    C  record  against_will                                  sentence
sexual    P  continue  against_will                                span=10  sentence
sexual    C  say_no  not  stop                                     span=10  sentence
sexual    C  not  stop  say_no                                     span=10  sentence
sexual    C  sex|touch  asleep                                     span=10  sentence
sexual    C  share  nudes                                          span=8  sentence
sexual    P  sex  must|not                                          span=8
sexual    P  touch  me|us  not|even|away                           span=8
sexual    C  contraception  sabotage|away|discard|hide             span=8  sentence
sexual    C  contraception  secret                                 sentence
sexual    C  submit  anger|snap|blowup|hit|payback                 sentence
sexual    P  submit  not|want|nag|must                             sentence
sexual    P  say_no  anger|snap|blowup|nag  he|partner              sentence
sexual    P  nag  he|partner  sex|submit|say_no|tired              sentence
sexual    P  sex|submit  otherwise                                 sentence
sexual    C  sex|submit  otherwise  anger|blowup|hit|payback|money  sentence
sexual    C  if  not  sex  not  money|possession|cook              sentence
sexual    C  entitled  asleep|go_ahead|say_no|against_will         sentence
sexual    C  go_ahead  asleep                                      sentence
sexual    P  entitled  sex|must                                    sentence
sexual    C  coerced_acts  not|want|against_will|make|force         sentence
sexual    P  coerced_acts                                          span=6
# ---- self-harm and suicide
self_harm C  want  die|dead                              span=6  !he  !him  !parent  idiom
self_harm C  suicide  i|me|my|think|plan|want         span=8  sentence  !he  !partner  !media  !job  !relative
self_harm P  suicide                                                span=6  !media  !job  wide
self_harm C  kill_self                                             span=6  !he  !partner  !job
self_harm C  kill|hurt|cut|harm|end|suicide|shoot|stab  myself      span=4  idiom
self_harm C  end_life                                              span=8
self_harm P  end_it                                                 span=6
self_harm C  end_it|hopeless|cannot_go_on  soon|means|farewell|plan|earnest  sentence
self_harm C  deathwish                                             span=8
self_harm C  want|will|plan  not  live                             span=6  !he
self_harm C  means  all|plan|soon|collect|die|jump|many            span=8  sentence  !cook  !job  !media  wide
self_harm C  high_place  plan|jump|die|end_it|hopeless|cannot_go_on  span=10  sentence  idiom  !third
self_harm C  letter  everyone|plan|collect                         sentence
self_harm C  jump  high_place|vehicle                              span=6  idiom  !third
self_harm C  crash_into                                            span=8
self_harm C  farewell                                              span=8
self_harm C  cut  again|start                                      span=6
self_harm C  self_harm                                             span=6
self_harm P  hopeless|cannot_go_on|disappear                       span=6  !relationship_end
self_harm P  want  not  exist                                      span=6
self_harm C  means  soon                                           span=3  terse
self_harm C  position  high_place                                  short=7  !pastime  !we  !friend  !he
self_harm P  position  high_place                                  span=6  !pastime  !we  !friend  !he
self_harm C  position  high_place  soon|hopeless|cannot_go_on|end_it|bye  sentence  !pastime  !we  !friend
self_harm C  engine_on  hide_place|vehicle                         sentence
self_harm C  affairs  affairs  bye|farewell|hopeless|end_it|die|letter  span=16  message
self_harm C  affairs  farewell_all|farewell|hopeless|end_it|die|letter  span=16  message
self_harm C  affairs  affairs  affairs                             span=16  sentence
self_harm P  affairs  affairs                                      span=16  sentence
self_harm P  vague_self                                            span=6
# ---- the safety net (recall first): a strong danger concept with the partner or the writer as the one
# affected, that no sharper frame reads, is asked about -- unless a benign context holds (media, long ago,
# someone else, sport, cooking, games, work). One tap for a benign message; a miss costs someone their help.
@net_off  !media|long_ago|sport|cook|toy|game|pastime|job|third|phobia|fear_benign|social|relative|would
@who      he|him|his|partner|ex|me|my|myself|i|us|our
@net_act  hit|choke|shove|abuse|stab|shoot|kill|burn|drown|run_over|injury|blow|violent|tie_up
@net_end  die|dead|suicide|means|deathwish|hopeless|disappear|never_again|farewell|end_it|give_away
violence  P  @net_act  me|my|myself|us|our                         sentence  net  wide  @net_off
weapon    P  weapon  @who|drunk|soon                                sentence  net  wide  @net_off
self_harm P  @net_end  i|me|my|myself                                sentence  net  wide  @net_off
fear      P  fear|scare|hide|police|flee|unsafe  he|him|his|partner|ex  sentence  net  wide  @net_off  !loss|leave|anger
stalking  P  follow|track|stalk|tracker|spy|lurk|fake_account|know_home  @who  sentence  net  wide  @net_off
sexual    P  sex|rape|nudes|undress|coerced_acts  @who  sentence  net  wide  @net_off
control   P  deport|lock|money_control|isolate|forbid|erase_trace  @who  sentence  net  wide  @net_off
children  P  kid  @net_act|hurt|spy|fear|scare|hide|police|weapon  sentence  net  wide  @net_off  kids
# ---- concepts from round 6, general (each a combination, not a sentence)
self_harm C  starve  days|controlling                                sentence
self_harm C  hang  myself                                            span=3
threat    C  hang  himself  if|threaten|say|will                     sentence
violence  C  got_hit                                span=6  !by_thing  !sport  !media  !third  !relative
fear      P  careful  he|him|partner|drunk|temper|blowup             sentence
fear      C  hide_place  he|partner  not  know                       sentence  !game  !want
fear      C  fear  he|partner  arrival  soon|again|repeat            sentence  !fear_benign
threat    C  say|will|would  he|partner  @harm|hurt  pet              sentence
threat    C  hunt  hunt                                              span=16  message
threat    C  hunt  say|he|him|partner|ex|if|leave                    sentence
threat    P  hunt                                                    span=6
sexual    C  submit  submit                                          sentence
sexual    C  submit  force|say_no|rough|anger|blowup                 sentence
sexual    C  coerced_acts  otherwise|if|leave                        sentence
sexual    C  tired|asleep|say_no  grab|force  me|us  he|partner      sentence
sexual    C  continue  say|cry  hurt|say_no|stop                     sentence
stalking  C  password  check  messages|account                       sentence
stalking  C  bombard|many  contact  check                            sentence
control   C  give|take|hide  my|our  means|possession  if|obey      sentence
threat    C  expose  if|otherwise|leave|threaten                    sentence  !i
weapon    C  menace  weapon                                          sentence  !toy  !media
weapon    C  weapon  stare                                           sentence  !toy  !media
children  P  kid  cry  yell|anger|hit|shove                         sentence  kids
children  P  kid  take  secret                                       sentence  kids
# ---- concepts from round 8, general
control   C  lockout  he|him|his|partner|say|if|obey                sentence  !i
control   C  take  my|our  possession  possession                   sentence  !i  !we
stalking  C  break_in|track  camera  he|partner|ex|him              sentence
stalking  C  order  contact|say|show_up|know|lurk                   sentence
threat    C  doom  say|he|partner|if|pet|kid|me                     sentence
threat    P  doom                                                   span=6
self_harm C  give_away  means                                       span=16  message
self_harm C  means  collect                                         sentence  !cook  !job  !media
# ---- concepts from rounds 9 and 10, general
threat    C  say  dead|@harm  if                                   sentence  idiom  !third
self_harm C  means|high_place|farewell  do_it                      span=16  message  !cook  !job  !media  !pastime
self_harm C  do_it  farewell|deathwish|hopeless|end_it|means       span=16  message
self_harm C  place_plan                                            span=6
self_harm C  self_harm  repeat|again                              sentence
fear      C  fear_now                                              short=12
fear      P  fear_now                                              span=6
fear      C  flee_kids                                             span=8
sexual    C  spiked                                                span=8  !media
sexual    C  asleep_sex                                            span=8  !media
sexual    C  refuse_not                                            span=8
sexual    C  submit  anger|blowup|calm                            sentence
stalking  C  drive_past                                            span=8
stalking  C  knows_where  say|secret|not|track|photo|pics          sentence
stalking  P  knows_where                                           span=6
threat    C  possess_threat                                        span=8
threat    C  family_threat  if|leave|@harm|payback|police           sentence
control   C  shun  if|leave|say|threaten                           sentence  !media
threat    C  threat_time  say|if|he|partner                         sentence
threat    C  he|partner|say  jump  high_place                    sentence  !i  !pastime
# ---- concepts from round 5, general (each a combination, not a sentence)
self_harm C  give_away  affairs|need_more|farewell|hopeless|end_it        span=16  message
self_harm C  high_place|vehicle  never_again                          sentence  !pastime  !we  !friend
self_harm C  end_it  never_again                                      sentence
self_harm C  engine_on  i|me|my  position|vehicle|hide_place           sentence
control   C  papers|deport  he|his|partner|say|if|threaten|take|hide   sentence  !job  !media
control   C  deport  i|me|my                                          sentence  !job  !media
control   C  erase_trace  he|partner|discover|not                     sentence  !game
children  C  tie_up  kid                                              sentence  kids
violence  C  tie_up  me|us                                            span=6
children  C  spy  kid  he|partner|parent|say|must                      sentence  kids
children  P  kid  say  parent  crazy                                  sentence  kids
fear      C  hide  he|partner  not  know                               sentence  !game  !want
stalking  C  lurk  he|partner|ex  again|repeat|soon|know|position      sentence  !job
stalking  P  lurk  he|partner|ex                                       sentence  !job
stalking  C  fake_account  he|partner|ex  contact|me|my|friend|family|repeat|ask  sentence
stalking  C  many  contact  fake_account                               sentence
stalking  C  he|partner|ex  know  location  repeat|not|all             sentence
threat    C  know_home  payback|say|threaten|if                        sentence
threat    C  @harm|hurt  pet  if|will|threaten|say                     sentence  !i
violence  C  hit|shove|choke|kill|stab|burn|drown|hurt  pet  he|partner|ex|his  sentence  !i
sexual    C  sex|submit  must|pay  money|rent                         sentence
sexual    C  pics|record  nudes  he|partner|his                        sentence
sexual    C  submit  say_no|not|want|worse                             sentence
weapon    C  weapon  drunk                                             span=6  terse
weapon    C  weapon  yell  he|partner                                  sentence  !media  !toy
weapon    C  weapon  wield  yell|me|my|he                              sentence  !cook  !toy  !media  wide
"""

_SHORT = {"C": Level.CLEAR, "P": Level.POSSIBLE}


@dataclass(frozen=True, slots=True)
class Frame:
    category: Category
    level: Level
    groups: tuple[frozenset[str], ...]
    blockers: frozenset[str]
    span: int = 6
    sentence: bool = False
    idiom: bool = False
    kids: bool = False
    short: int = 0
    neg_keeps: bool = False
    wide: bool = False
    message: bool = False
    terse: bool = False
    net: bool = False

    @property
    def needs_negation(self) -> bool:
        return any(NOT in g for g in self.groups)


NOT = "not"
WITHOUT = "without"
HUNCH = "hunch"
SURE = "sure"
ORDINARY = "ordinary"
"""Marks only the shell adds (``bot/hunch.py``), never a word: the learned model finds the message like
danger (ask, though no frame fired) or like an ordinary fight (ask, though a frame said CLEAR)."""


def _parse(table: str) -> tuple[Frame, ...]:
    frames: list[Frame] = []
    names: dict[str, str] = {}
    for raw in table.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("@"):
            name, group = line.split()
            names[name] = group
            continue
        for name, group in names.items():
            line = line.replace(name, group)
        cat, lvl, *rest = line.split()
        groups: list[frozenset[str]] = []
        blockers: set[str] = set()
        opts: dict[str, object] = {}
        for part in rest:
            if part.startswith("!"):
                blockers.update(part[1:].split("|"))
            elif "=" in part:
                key, value = part.split("=", 1)
                opts[key] = int(value) if value.isdigit() else value
            elif part in ("sentence", "idiom", "kids", "wide", "message", "terse", "net"):
                opts[part] = True
            else:
                groups.append(frozenset(part.split("|")))
        frames.append(
            Frame(
                Category(cat),
                _SHORT[lvl],
                tuple(groups),
                frozenset(blockers),
                span=int(str(opts.get("span", 14 if opts.get("sentence") else 6))),
                sentence=bool(opts.get("sentence", False) or opts.get("message", False) or opts.get("terse", False)),
                idiom=bool(opts.get("idiom", False) or opts.get("net", False)),
                kids=bool(opts.get("kids", False)),
                short=int(str(opts.get("short", 0))),
                neg_keeps=opts.get("neg") == "P",
                wide=bool(opts.get("wide", False)),
                message=bool(opts.get("message", False)),
                terse=bool(opts.get("terse", False)),
                net=bool(opts.get("net", False)),
            )
        )
    return tuple(frames)


FRAMES = _parse(FRAMES_TABLE)


def concepts() -> frozenset[str]:
    """Every concept the frames use (the reader's vocabulary must define each of them)."""
    used = {c for f in FRAMES for g in f.groups for c in g} | {c for f in FRAMES for c in f.blockers}
    return frozenset(used | _CONTEXT)


# Concepts the context rules below use.
_FIRST_PERSON = frozenset({"i", "me", "my", "myself", "we", "us", "our"})
_VICTIM = frozenset({"i", "me", "myself", "we", "us"})
_OBJECT = frozenset({"me", "myself", "us"})  # in a story told, "I" may be the reader; "me" is the writer hurt
_AGENT = frozenset({"he", "partner", "you", "ex"})
_SUBJECTS = frozenset({"he", "i", "we", "you", "partner", "it", "say"})
_CONTEXT = frozenset(
    {NOT, "stop", "residue", "joke", "media", "long_ago", "say", "you", "your", "he", "him", "his", "i", "me",
     "my", "kid", "ex", "partner", "safe_now", "trivial", "without"}
)
# Direct speech: the speaker's "I" is the partner, "you" is the writer.
_SWAP = {"i": "he", "me": "him", "my": "his", "myself": "himself", "you": "me", "your": "my"}

_COMMON = frozenset(
    {"i", "me", "my", "myself", "we", "us", "our", "you", "your", "he", "him", "his", "himself", "partner", "it",
     NOT, "if", "say", "will", "would", "want", "passive", "all", "many", "soon", "again", "repeat", "home", "must",
     "think", "feel", "even", "body", "family", "kid", "give", "make", "do", "let", "allow", "take", "location"}
)
"""Concepts in nearly every sentence: a frame is looked up by a rarer one of its groups."""


def _key_group(frame: Frame) -> frozenset[str]:
    for group in frame.groups:
        if not group <= _COMMON:
            return group
    return frame.groups[0]


_BY_HEAD: dict[str, tuple[int, ...]] = {}
for _n, _f in enumerate(FRAMES):
    for _c in _key_group(_f):
        _BY_HEAD[_c] = (*_BY_HEAD.get(_c, ()), _n)
_HEADS = frozenset(_BY_HEAD)
_MESSAGE_FRAMES = frozenset(n for n, f in enumerate(FRAMES) if f.message)
_TERSE_FRAMES = _MESSAGE_FRAMES | frozenset(n for n, f in enumerate(FRAMES) if f.terse)
_HEADS_OF = {
    only: frozenset(c for n in only for c in _key_group(FRAMES[n])) for only in (_MESSAGE_FRAMES, _TERSE_FRAMES)
}
_NOTHING = Assessment(Level.NONE, frozenset())
_NEEDS_NEGATION = tuple(f.needs_negation for f in FRAMES)
_KID_LINKED = frozenset({Category.VIOLENCE, Category.THREAT, Category.WEAPON, Category.FEAR, Category.SEXUAL})


@dataclass(frozen=True, slots=True)
class Fired:
    """A frame that fired in one sentence: its level there, whether children are involved, whether long ago."""

    frame: Frame
    level: Level
    kids: bool
    past: bool
    where: frozenset[int]  # the words it fired on, counted from the start of the message

_TOGETHER = frozenset({Category.VIOLENCE, Category.THREAT, Category.WEAPON, Category.STALKING, Category.FEAR})
"""Two different signals of these add up: "she called 63 times" and "she's watching me" is stalking, clearly."""


def assess(reading: Reading) -> Assessment:
    """Judge one message. Never raises; NONE if and only if no category and no hunch. The shell's learned
    hunch (:data:`HUNCH`) asks about a message no frame reads (POSSIBLE, no category) -- but not where the
    rules weighed danger words and ruled them out (a negation, a joke, a film, a kitchen knife: the rules
    know those); its ``sure`` mark makes a frame's own POSSIBLE clear (two signals, one from the rules, one
    learnt), unless the rules lowered it on purpose (a joke, long ago, a residue of a negation); its
    ``ordinary`` mark turns a CLEAR into a question (POSSIBLE), never into nothing."""
    judged, ruled_out, lowered = _judge(reading)
    marks = reading[-1] if reading else frozenset()
    if HUNCH in marks and judged.level is Level.NONE and not ruled_out:
        return _ASK
    if SURE in marks and judged.level is Level.POSSIBLE and judged.categories and not (lowered or ruled_out):
        return Assessment(Level.CLEAR, judged.categories)
    if ORDINARY in marks and judged.level is Level.CLEAR:
        return Assessment(Level.POSSIBLE, judged.categories)
    return judged


_ASK = Assessment(Level.POSSIBLE, frozenset())


def _judge(reading: Reading) -> tuple[Assessment, bool, bool]:
    """The rules' answer; whether a frame's words were there but the context cancelled it; whether one was
    lowered on purpose."""
    parts, joke, safe_now, ruled_out = _judged(reading)
    lowered = False
    if not parts:
        return _NOTHING, ruled_out, lowered
    level = Level.NONE
    cats: set[Category] = set()
    possible: list[tuple[int, Fired]] = []
    for offset, fired in parts:
        for f in fired:
            if safe_now and f.past:
                ruled_out = lowered = True
                continue
            lv = f.level
            if joke and f.frame.idiom:
                if f.frame.category is not Category.SELF_HARM:
                    ruled_out = True
                    continue
                lv = Level.POSSIBLE  # "kill myself lol" is still asked about, gently
            if lv < f.frame.level or f.past:
                lowered = True
            level = max(level, lv)
            cats.add(f.frame.category)
            if f.kids:
                cats.add(Category.CHILDREN)
            if lv is Level.POSSIBLE and not f.frame.idiom and not f.past:  # long ago is asked about, never added up
                possible.append((offset, f))
    if not cats:
        return _NOTHING, ruled_out, lowered
    if level is Level.POSSIBLE and _add_up([_placed(offset, f) for offset, f in possible]):
        level = Level.CLEAR
    return Assessment(level, frozenset(cats)), ruled_out, lowered


def _add_up(possible: list[Fired]) -> bool:
    """Two signals on different words, of one category or both of the kinds that add up, are clear."""
    for n, a in enumerate(possible):
        for b in possible[n + 1 :]:
            if a.frame is b.frame or a.where & b.where:
                continue
            same = a.frame.category is b.frame.category
            if same or (a.frame.category in _TOGETHER and b.frame.category in _TOGETHER):
                return True
    return False


def explain(reading: Reading, ruled_out: list[bool] | None = None) -> list[Fired]:
    """The frames that fire, sentence by sentence (``message`` frames across the whole message too);
    ``ruled_out`` gets an entry when a frame's words were there but the context cancelled it."""
    parts, _, _, ruled = _judged(reading)
    if ruled and ruled_out is not None:
        ruled_out.append(True)
    return [_placed(offset, f) for offset, fired in parts for f in fired]


def _placed(offset: int, f: Fired) -> Fired:
    """A frame that fired in a sentence, its words counted from the start of the message."""
    return Fired(f.frame, f.level, f.kids, f.past, frozenset(offset + p for p in f.where)) if offset else f


_Judged = tuple[tuple[Fired, ...], bool, bool, bool]
"""What fired in one sentence (its words counted from the sentence's start); whether it holds a joke marker;
whether it says the writer is safe now; whether the context cancelled a frame whose words were there."""


def _judged(reading: Reading) -> tuple[list[tuple[int, tuple[Fired, ...]]], bool, bool, bool]:
    """Per sentence that fired something: its offset and what fired; whether the message holds a joke marker,
    whether it says the writer is safe now, whether the context cancelled a frame whose words were there."""
    parts: list[tuple[int, tuple[Fired, ...]]] = []
    joke = safe_now = ruled = False
    ends = list(compress(count(), map(contains, reading, repeat(SENTENCE))))
    ends.append(len(reading))
    start = sentences = longest = 0
    seen: dict[Reading, _Judged] = {}  # a sentence said again in one message is judged once
    for i in ends:
        if i > start:
            tokens = reading[start:i]
            judged = seen.get(tokens)
            if judged is None:
                judged = seen[tokens] = _sentence(tokens)
            fired, has_joke, has_safe_now, has_ruled = judged
            if fired:
                parts.append((start, fired))
            joke = joke or has_joke
            safe_now = safe_now or has_safe_now
            ruled = ruled or has_ruled
            sentences += 1
            longest = max(longest, i - start)
        if i < len(reading):
            t = reading[i]  # a sentence mark (from the reader: nothing else)
            joke = joke or "joke" in t
            safe_now = safe_now or "safe_now" in t
        start = i + 1
    n = len(reading)
    if sentences > 1 and n <= _SHORT_MESSAGE:
        whole = tuple(_AS_CLAUSE if SENTENCE in t else t for t in reading)
        fired, _, _, has_ruled = _sentence(whole, _TERSE_FRAMES if longest <= _FRAGMENT else _MESSAGE_FRAMES)
        ruled = ruled or has_ruled
        if fired:
            parts.append((0, fired))
    return parts, joke, safe_now, ruled


_AS_CLAUSE = frozenset({CLAUSE})
_SHORT_MESSAGE = 40
"""A message this short is one thought, whatever its full stops (for ``message`` frames)."""
_FRAGMENT = 3
"""Sentences of at most this many tokens are fragments of one thought: "pills. tonight." (``terse`` frames)."""


def _sentence(tokens: Reading, only: frozenset[int] | None = None) -> _Judged:
    """What fires in one sentence (of the ``only`` frames), its words counted from the sentence's start."""
    present = set().union(*tokens)
    joke, safe_now = "joke" in present, "safe_now" in present
    heads = present & (_HEADS_OF[only] if only is not None else _HEADS)
    if not heads:
        return (), joke, safe_now, False
    if len(heads) == 1:
        numbers: Iterable[int] = _BY_HEAD[next(iter(heads))]
    else:
        numbers = sorted({fn for head in heads for fn in _BY_HEAD[head]})
    fired: list[Fired] = []
    ruled: list[bool] = []
    clause_of: list[int] = []  # filled (with the speech read) when a first frame has all its groups here
    here = present
    found: dict[frozenset[str], list[int]] = {}  # a group's positions, once per sentence
    for fn in numbers:
        if only is not None and fn not in only:
            continue
        frame = FRAMES[fn]
        for g in frame.groups:
            if g.isdisjoint(present):
                break
        else:
            if not clause_of:
                spoken = _speech(tokens, present)
                here = present if spoken is tokens else set().union(*spoken)  # the concepts after the speech
                tokens = spoken
                clause = 0
                for t in tokens:
                    if CLAUSE in t:
                        clause += 1
                    clause_of.append(clause)
            hit = _match(fn, frame, tokens, found, clause_of, here, ruled)
            if hit is None:
                continue
            lv, positions = hit
            if "media" in here and not _first_person_with_agent(tokens, clause_of, positions):
                media = [p for p, t in enumerate(tokens) if "media" in t]
                if _media_frames(media, clause_of, positions):
                    ruled.append(True)
                    continue
            past = False
            if "long_ago" in here:
                if not any(_VICTIM & tokens[p] for p in _clause_positions(clause_of, positions)):
                    ruled.append(True)
                    continue
                lv, past = min(lv, Level.POSSIBLE), True
            if "trivial" in here and (frame.idiom or "would" in here):  # "she would shoot me if I bought a guitar"
                if frame.net:
                    ruled.append(True)
                    continue  # "she'll kill me when she sees I forgot the milk": no question at all
                lv = min(lv, Level.POSSIBLE)  # "he'll kill me if I'm late again": asked, not sent to help
            kids = frame.kids or ("kid" in here and frame.category in _KID_LINKED)
            fired.append(Fired(frame, lv, kids, past, frozenset(positions)))
    return tuple(fired), joke, safe_now, bool(ruled)


def _media_frames(media: list[int], clause_of: list[int], positions: tuple[int, ...]) -> bool:
    """A film, game or the news frames what follows it and what shares its clause, not what came before it:
    "he threw the baby on the sofa, he says it was a game" is not a game."""
    scope = set(_clause_positions(clause_of, positions))
    last = max(positions)
    return any(m <= last or m in scope for m in media)


def _clause_positions(clause_of: list[int], positions: tuple[int, ...]) -> list[int]:
    wanted = {clause_of[p] for p in positions}
    return [p for p, c in enumerate(clause_of) if c in wanted]


def _first_person_with_agent(tokens: Reading, clause_of: list[int], positions: tuple[int, ...]) -> bool:
    seen: set[str] = set()
    for p in _clause_positions(clause_of, positions):
        seen |= tokens[p]
    return bool(seen & _OBJECT) and bool(seen & _AGENT)


def _speech(tokens: Reading, present: set[str]) -> Reading:
    """Direct speech of someone else addressing the writer: their "I" is them, their "you" is the writer.
    The one told ("a coworker told me her ex choked her") is the listener, not the one hurt."""
    if "say" not in present:
        return tokens
    out = list(tokens)
    for pos in range(1, len(tokens)):
        if "say" in tokens[pos - 1] and tokens[pos] & _OBJECT and "say" not in tokens[pos]:
            out[pos] = tokens[pos] - _OBJECT
    if not present & {"you", "your"}:
        return tuple(out)
    tokens = tuple(out)
    speaking = False
    for pos, t in enumerate(tokens):
        if "say" in t:
            before = [c for p in range(max(0, pos - 4), pos) for c in tokens[p]]
            speaking = "i" not in before and "we" not in before and _quotes(tokens, pos)
            continue
        if speaking and t & _SWAP.keys():
            out[pos] = frozenset(_SWAP.get(c, c) for c in t)
    return tuple(out)


_SPEAKER_WORDS = frozenset({"i", "me", "my", "we", "you", "your"})


def _quotes(tokens: Reading, say: int) -> bool:
    """What follows a speech verb is the speaker's own words when it starts with a person ("he said 'I'll
    ...'", "zei: je gaat ..."), not with a third one ("tell no one, but he dragged me": no quote at all)."""
    for t in tokens[say + 1 : say + 4]:
        if t & _SPEAKER_WORDS:
            return True
        if CLAUSE not in t and t:
            return False
    return False


def _match(
    fn: int, frame: Frame, tokens: Reading, found: dict[frozenset[str], list[int]], clause_of: list[int],
    here: set[str], ruled: list[bool],
) -> tuple[Level, tuple[int, ...]] | None:
    """The frame's level (after negation) and matched positions, or None when it does not fire here.

    ``here``: the sentence's concepts; no blocker or "not" among them, none is looked for around the words."""
    blockers = frame.blockers and not frame.blockers.isdisjoint(here)
    negation = NOT in here and not _NEEDS_NEGATION[fn]
    lists: list[list[int]] = []
    for group in frame.groups:
        where = found.get(group)
        if where is None:
            where = found[group] = [p for p, t in enumerate(tokens) if not group.isdisjoint(t)]
        if not where:
            return None
        lists.append(where)
    span = frame.span
    for anchor in lists[0]:
        clause = clause_of[anchor]
        chosen = [anchor]
        for other in lists[1:]:
            best = -1
            for p in other:
                if abs(p - anchor) > span:
                    continue
                if not frame.sentence and clause_of[p] != clause:
                    continue
                if p in chosen:
                    continue
                if best < 0 or abs(p - anchor) < abs(best - anchor):
                    best = p
            if best < 0:
                break
            chosen.append(best)
        else:
            if frame.short and clause_of.count(clause) > frame.short:
                continue
            if blockers and _blocked(frame, tokens, clause_of, chosen):
                ruled.append(True)
                continue
            level = frame.level
            if negation and _negated(tokens, clause_of, chosen, 4 if len(frame.groups) > 1 else 1):
                if not (frame.neg_keeps or _residue(tokens, clause_of, chosen)):
                    ruled.append(True)
                    continue
                level = Level.POSSIBLE
            return level, tuple(chosen)
    return None


def _blocked(frame: Frame, tokens: Reading, clause_of: list[int], chosen: list[int]) -> bool:
    """A blocker in the frame's clauses (or, for ``wide`` frames, within a few words around them too)."""
    scope = set(_clause_positions(clause_of, tuple(chosen)))
    if frame.wide:
        scope |= set(range(max(0, min(chosen) - _BLOCK_REACH), min(len(tokens), max(chosen) + _BLOCK_REACH + 1)))
    return any(frame.blockers & tokens[p] for p in scope)


_BLOCK_REACH = 10


def _negated(tokens: Reading, clause_of: list[int], chosen: list[int], reach: int) -> bool:
    """A "not" just before one of the frame's words (no new subject in between), or just after the last."""
    first = min(chosen)
    if any("stop" in tokens[p] for p in _clause_positions(clause_of, (first,))):
        return False
    for q in chosen:
        p, steps = q - 1, 0
        while p >= 0 and clause_of[p] == clause_of[q] and steps < reach:
            t = tokens[p]
            if NOT in t and WITHOUT not in t:
                return True
            if t & _SUBJECTS or p in chosen:
                break
            p -= 1
            steps += 1
    last = max(chosen)
    after = last + 1
    return (
        after < len(tokens)
        and clause_of[after] == clause_of[last]
        and NOT in tokens[after]
        and WITHOUT not in tokens[after]
    )


def _residue(tokens: Reading, clause_of: list[int], chosen: list[int]) -> bool:
    return any("residue" in tokens[p] for p in _clause_positions(clause_of, tuple(chosen)))

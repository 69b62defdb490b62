"""The danger frames as a table: which combinations of concepts are a danger signal, of what kind and level.

Data, not code: one frame per line, read by ``bot/core/danger.py`` (its header says how a frame is matched
and how context cancels or lowers it). A new combination is one line here; a new word for a concept is one
line in ``bot/i18n/<lang>/danger.toml``.
"""

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
violence  C  injury  i|me|my|we|us|our  he|him|his|partner|you   sentence  !sport  !cook  !profession
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
violence  P  police  summon                                       span=6  sentence  !job  !long_ago
violence  P  i  hit|choke|shove|abuse  him|partner|you            span=4  !would  !want  idiom
violence  P  hit|choke|shove|abuse|hurt  pet  he|partner|you      sentence
violence  C  hit|choke|shove|grab|abuse|break  he|partner|ex  my|our  body|throat  span=4
violence  P  physical_got                                         span=6  !sport  !job  !media
violence  C  hurt  me|us  violent                                  span=8  sentence
violence  P  passive  violent  span=6  !sport  !job  !media  !relative  !third  !long_ago
# ---- children
children  C  hit|choke|shove|grab|abuse|blow  kid                 span=8  sentence  kids  !job
children  C  hurt  kid                                            span=8  sentence  !body  kids
children  C  hurt  kid  body  he|him|partner|parent|you           sentence  kids
children  C  injury  kid  body  parent                      sentence  kids  !sport  !job
children  C  injury|fear|hide|tremble  kid  !phobia  !job        span=8  kids  !unwind
children  C  starve  kid                                         sentence  kids
children  C  kid  fear|scare  he|him|partner|parent|his           sentence  kids  !phobia
children  C  sexual_act|rape|touch_bad  kid                       span=8  kids
children  P  kid  witness                                         span=6  kids
children  P  child_services                                       span=6  kids  !long_ago  !relative
children  C  lock  kid                                            span=8  sentence  kids
children  C  kid  drunk  drive                                    sentence  kids
children  P  kid  anger|hard|yell  he|partner|parent              sentence  kids
children  C  kid  drive  reckless|crash                          sentence  kids
children  P  kid  hit|shove|break  door|thing  he|his|parent|partner  sentence  kids  !i
# ---- threats
threat    C  threaten  @harm|die|suicide|weapon|nudes|kid              sentence
threat    C  threaten  me|us|i|kid|family                        span=5  !leave  !cancel  wide
threat    P  threaten                                             span=6  !leave  !cancel  wide  !relative
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
threat    C  take_kids  threaten|if|say                           sentence  !third  !friend
threat    P  i  will  kill|hurt|stab|shoot  him|partner|you       span=6  !would  idiom
threat    P  kys                                                   span=3
threat    C  burn|destroy|smash  will|would|threaten  my|our|your  possession|home|by_thing  sentence  !i
threat    C  aim_miss  next_time|hit|shove|weapon|@harm  he|partner|say  sentence
threat    C  he|partner|say  will  crash  me|us|all|kid             sentence
threat    C  if  leave  ensure  kid|not|never_again                 sentence
threat    P  ensure  kid  not|never_again  say|will                 sentence
threat    P  do|make  regret  say|he|you                            sentence  idiom  neg=P
# ---- weapons
weapon    C  weapon  wield                                         span=8  sentence  !toy  !media  !cook  !job  wide
weapon    C  weapon  me|us|my|our  body|throat                     span=7  sentence  !toy  !profession  !unwind
weapon    C  weapon  me|us                                         span=4  !toy  !cook
weapon    C  weapon  he|his|partner                                span=6  !cook  !toy  !media  !job  wide
weapon    C  stab|shoot  me|us                                     span=4  !media
weapon    P  weapon                                                span=6  !cook  !toy  !job  wide
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
fear      C  hide  me|myself|us                                    span=6  !game  !want  !unwind  wide
fear      C  hide  i|we  him                                       sentence  !game  !want
fear      C  hide  hide_place                                      span=6  !game  !want  !unwind  wide
fear      P  hide  i|me|myself|we|us                               span=6  !game  !unwind  wide
fear      P  fear                                                  span=6  !loss  !phobia  !fear_benign  !anger  wide
fear      P  tremble|eggshells|flee|dare_not|stuck_out             span=6  !anger  !sport  !unwind  wide
fear      C  dare_not|stuck_out  he|him|partner  home|asleep       sentence  !want  !pastime
fear      C  dare_not  home                                        sentence  !want
fear      C  dare_not|stuck_out  home  soon                        sentence
fear      C  escape_plan                                           span=8
fear      C  eggshells  he|partner  blowup|snap|temper              sentence  !sport
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
control   C  lock  me|us                                           span=5  !feel  !unwind
control   P  lock  me|us|i                                          span=5  !unwind  wide
control   P  trapped                                               span=6
control   C  allow  not  i|we                                      span=7  !you
control   C  let  not  me|us                                       span=6  !go_of
control   C  he|partner|you  take|hide|smash  my|our  possession   span=10  sentence
control   C  lock|trapped  take  possession                        sentence
control   C  take|hide|smash  my|our  possession  away             span=7
control   C  money_control                                         span=8
control   C  sleep_control                                         span=10
control   C  isolate  he|him|partner|say                            sentence  !third  !relative
control   P  obey                                                  span=8
control   C  obey  possession|money|allow|let                      sentence
control   C  give  not  money|possession  me|us|i                  span=8
control   C  give  my|our  money  him|he|partner                   span=8
control   C  access  not  money                                    span=8
control   C  block  door                                           span=5
control   C  isolate|forbid|dictate  me|us|i                       span=6
control   P  check  my|our  possession|messages|location           span=6
control   P  controlling                                           span=6  idiom  !relative  !third  !friend
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
stalking  C  stalk  me|us|i                                       span=6  !social  !third  !relative
stalking  C  order  breach                                         span=8
stalking  C  show_up  soon                                         sentence
stalking  P  many  contact                                         span=6
stalking  C  tracker  !i  !third  !friend                         span=6
stalking  P  stalk  span=6  !social  !third  !relative  !media  !long_ago  !friend
stalking  P  track                                                 span=6  !social
stalking  C  show_up  repeat                                       sentence  !relative
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
sexual    C  sex|submit  if|otherwise  expose|threaten           sentence
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
self_harm C  means  all|plan|soon|collect|die|jump|many            span=8  sentence  !cook  !job  !media  !dose  wide
self_harm C  high_place  plan|jump|die|end_it|hopeless|cannot_go_on  span=16  sentence  idiom  !third
self_harm C  letter  everyone|plan|collect                         sentence
self_harm C  jump  high_place|vehicle                              span=6  idiom  !third
self_harm C  crash_into                                            span=8
self_harm C  farewell                                              span=8
self_harm C  cut  again|start                                      span=6
self_harm C  self_harm                                             span=6
self_harm P  hopeless|cannot_go_on|disappear                       span=6  !relationship_end
self_harm P  want  not  exist                                      span=6
self_harm C  means  soon                                           span=3  terse  !dose
self_harm C  position  high_place                                  short=7  !pastime  !we  !friend  !he  !unwind
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
@net_off  !media|long_ago|sport|cook|toy|game|pastime|job|third|phobia|fear_benign|social|relative|would|dose
@who      he|him|his|partner|ex|me|my|myself|i|us|our
@net_act  hit|choke|shove|abuse|stab|shoot|kill|burn|drown|run_over|injury|blow|violent|tie_up
@net_end  die|dead|suicide|means|deathwish|hopeless|disappear|never_again|farewell|end_it|give_away
violence  P  @net_act  me|my|myself|us|our                         sentence  net  wide  @net_off
weapon    P  weapon  @who|drunk|soon                                sentence  net  wide  @net_off
self_harm P  @net_end  i|me|my|myself                                sentence  net  wide  @net_off
fear      P  fear|scare|hide|police|flee|unsafe  he|him|his|partner|ex  sentence  net  wide  @net_off  !loss|leave|anger
stalking  P  follow|track|stalk|tracker|spy|lurk|fake_account|know_home  @who  sentence  net  wide  @net_off
sexual    P  sex|rape|nudes|undress|coerced_acts  @who  sentence  net  wide  @net_off
control   P  deport|lock|money_control|isolate|forbid|erase_trace  @who  sentence  net  wide  @net_off  !unwind
children  P  kid  @net_act|hurt|spy|fear|scare|hide|police|weapon  sentence  net  wide  @net_off  kids
# ---- concepts from round 6, general (each a combination, not a sentence)
self_harm C  starve  days|controlling                                sentence
self_harm C  hang  myself                                            span=3
threat    C  hang  himself  if|threaten|say|will                     sentence
violence  C  got_hit                                span=6  !by_thing  !sport  !media  !third  !relative  !profession
violence  C  cover_story  injury|blow|hit|he|him|his|partner  sentence  !media  !third
violence  P  cover_story                                       span=10  !media  !third
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
threat    C  expose  he|partner|say  if|otherwise|threaten           sentence
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
stalking  C  he|partner|ex  spy  my|our  account|messages|pics          sentence  !i  !we
children  P  kid  say  parent  crazy                                  sentence  kids
fear      C  hide  he|partner  not  know                               sentence  !game  !want
stalking  C  lurk  he|partner|ex  again|repeat|soon|know|position      sentence  !profession  !relative
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
weapon    C  weapon  drunk                                             span=6  terse  !cook
weapon    C  weapon  yell  he|partner                                  sentence  !media  !toy
weapon    C  weapon  wield  yell|me|my|he                              sentence  !cook  !toy  !media  !profession  wide
# ---- concepts from rounds 49-54, general
violence  C  he|partner|ex  start|again  hit|choke|shove|abuse     span=4  !thing  !sport  !media  !i  !would
violence  C  he|partner|ex  me|us  hit|choke|shove|abuse  span=8  !i  !thing  !third  !media  !relative  !sport !compare
weapon    C  drive_at                                               span=4
self_harm C  means  will|plan  soon  all                           sentence  !cook  !job  !media  !dose
sexual    C  dare_not|fear  say_no  sex                            sentence
sexual    C  asleep  start  say_no|against_will                     sentence
children  C  touch  kid                                             span=3  kids  !body  !job  !profession
control   C  must  messages  share                                  span=6  !job
self_harm C  bye  sorry_all                                          span=16  message
self_harm C  means  plan                                             span=12  message  !cook  !job  !media  !dose
control   C  allow  not  friend|family                             span=6  !you  !he  !partner
control   C  password  give|must  check|repeat                     sentence
threat    C  if  leave  kid  never_again                           sentence
sexual    C  submit  say_no                                        span=16  message
self_harm C  do_it  love_msg                                       span=16  message
self_harm C  love_msg  bye|sorry_all|means|end_it                  span=16  message
children  C  kid  secret_tell  otherwise|regret|payback|hit|if     sentence  kids
fear      P  secret_use                                            span=8
fear      C  secret_use  he|partner  worse|anger|blowup|payback|snap  sentence
sexual    C  takes_anyway  nag|say_no|sex|sleep|tired               sentence
violence  C  fear_benign  i  @acts  him|partner|you   sentence  !would  idiom  !relative  !third  !long_ago
violence  C  i  hit|shove|choke  him|partner|you  hard                span=6  !would  idiom
control   C  marry  must|force  relative|no_choice                    sentence  !media
control   C  allow  not  me|us                                        span=6  !you
sexual    C  grab  me|us  sex  not|say_no                             sentence
weapon    C  fear_benign  i  weapon  will                             sentence  !toy  !media
fear      C  fear  him                                              span=3  terse  !loss  !fear_benign  !phobia  wide
sexual    C  say_no  violent                                          sentence
violence  C  apology  i  hit|shove|choke|abuse  him|partner|you       sentence  !would  !thing  idiom
violence  C  i  shove|hit  him|partner  door|thing|injury               span=8  !would  idiom
weapon    C  weapon  wield  drunk                                     span=16  message
control   P  dictate                                                  span=6
violence  C  hit|blow  deserve                                        sentence  !media
sexual    C  force  me|us  say_no                                    sentence
self_harm C  suicide  hopeless|cannot_go_on                           sentence  !media  !job  !third  !relative
children  C  kid  punish_me                                           sentence  kids
control   C  isolate  family|friend                                   span=8  !third
violence  C  he|partner  hit  thing  me|us                            span=6  sentence  !i  !we  !sport
violence  C  passive  hit  body                                       span=4  !sport  !by_thing  !media  !third
children  C  hit|choke|shove|abuse  kid                               span=6  terse  kids  !job
self_harm C  means  all                                               span=4  terse  !dose
self_harm C  love_msg  love                                           span=6  terse
children  C  means  sedate                                             sentence  kids  !job
control   C  food_control                                             span=6
sexual    C  sex  if  papers|deport                                   sentence
control   C  check_in                                                 span=6  !job
stalking  C  discover  tracker                                        sentence  !third  !friend
weapon    C  weapon  say  leave                                       sentence  !toy  !media  !job
weapon    C  weapon  trapped                                          sentence  !toy  !media
sexual    C  obey  sex                                                sentence
children  C  kid  take|take_kids  never_again                           span=16  message  kids
sexual    C  sex|say_no  otherwise  leave                             sentence
stalking  C  lurk|show_up  relationship_end                           sentence  !third  !hedge
violence  C  i  hit|shove|choke  him|partner  injury                   sentence  !would  idiom
stalking  C  find  tracker                                            sentence  !third  !friend
self_harm C  he|partner|say  kill_self  will|soon                      sentence  !third  !media  !job  !i
self_harm C  cannot_go_on|hopeless  plan  soon                         span=24  message
sexual    C  grab|force  me|us  unspeakable                           span=24  message
self_harm C  the_night  plan|means|end_it|hopeless|cannot_go_on|deathwish  span=24  message
sexual    C  touch_bad  me|us                                         sentence
sexual    C  touch_bad                                                span=8  !media  !third
violence  C  hidden_injury                                            span=8  !media  !third
violence  C  hit                                                      short=1  !sport
threat    C  if|leave  you  dead                                       sentence  idiom  !third  !media
fear      C  fear  secret_use                                          sentence
violence  C  drunk  he|partner  hit                                    span=6  !third  !media  !sport  !thing
weapon    C  weapon  doom|payback|regret                               sentence  !toy  !media
"""

"""Labels of the app's widgets, empty states and page furniture, in English and Swedish.

Part of the app's translation table (:mod:`i18n` joins the parts into ``TEXT``): key ->
(English, Swedish). Placeholders in braces are filled by ``t(key, name=...)``.
"""

LABELS: dict[str, tuple[str, str]] = {
    # key: (English, Swedish)
    "app_title": ("Social Trust Barometer", "Social tillitsbarometer"),
    "language": ("Language / Språk", "Språk / Language"),
    "nav_overview": ("Overview", "Översikt"),
    "nav_trends": ("Trends", "Trender"),
    "nav_drivers": ("Drivers", "Drivkrafter"),
    "nav_impact": ("Impact", "Effekter"),
    "nav_models": ("Models & fairness", "Modeller & rättvisa"),
    "nav_quality": ("Data quality", "Datakvalitet"),
    "login_needed": (
        "This barometer is for signed-in staff. Sign in to continue.",
        "Barometern är för inloggad personal. Logga in för att fortsätta.",
    ),
    "login": ("Sign in", "Logga in"),
    "logout": ("Sign out", "Logga ut"),
    # empty states and errors
    "no_warehouse": (
        "Build the sample municipality's barometer with",
        "Bygg barometern för exempelkommunen med",
    ),
    "no_warehouse_after": (
        "(or `make demo`), then reload this page.",
        "(eller `make demo`) och ladda sedan om sidan.",
    ),
    "no_index": (
        "The barometer has no index values yet: every cell is suppressed or missing.",
        "Barometern har inga indexvärden än: alla celler är undertryckta eller saknas.",
    ),
    "not_published": (
        "Nothing published for this selection: {what}. Cells below the minimum size are "
        "suppressed, and a table appears after a pipeline run that produces it.",
        "Inget publicerat för detta urval: {what}. Celler under minsta storlek undertrycks, "
        "och en tabell visas efter en körning som tar fram den.",
    ),
    "read_error": ("Could not read the barometer: {error}", "Kunde inte läsa barometern: {error}"),
    "nothing_selected": ("Choose at least one neighbourhood.", "Välj minst ett område."),
    # shared widgets
    "month": ("Month", "Månad"),
    "neighbourhood": ("Neighbourhood", "Område"),
    "neighbourhoods_4": ("Neighbourhoods (up to four)", "Områden (högst fyra)"),
    "indicator": ("Indicator", "Indikator"),
    "download_csv": ("Download CSV", "Ladda ner CSV"),
    "value": ("Value", "Värde"),
    "lower": ("Lower", "Nedre"),
    "upper": ("Upper", "Övre"),
    "interval": ("95% interval", "95 %-intervall"),
    "source": ("Source", "Källa"),
    "rows": ("Rows", "Rader"),
    "no_value": ("no value", "inget värde"),
    # overview
    "index": ("Index", "Index"),
    "rank": ("Rank", "Rang"),
    "legend": (
        "Legend: {bins} (dark purple = lowest trust, yellow = highest); grey = no value.",
        "Teckenförklaring: {bins} (mörklila = lägst tillit, gul = högst); grått = inget värde.",
    ),
    "kpis": ("Key figures for {name}", "Nyckeltal för {name}"),
    "kpi_help": (
        "{label}, {month}: 95% interval {lower} to {upper}. The change is from the previous "
        "published value ({previous}); it is called better or worse only when it is larger "
        "than the uncertainty of the two values.",
        "{label}, {month}: 95 %-intervall {lower} till {upper}. Förändringen är från "
        "föregående publicerade värde ({previous}); den kallas bättre eller sämre bara när den "
        "är större än osäkerheten i de två värdena.",
    ),
    "spark_alt": (
        "Trend from {first_month} to {last_month}: from {first} to {last}; lowest {low}, "
        "highest {high}.",
        "Utvecklingen från {first_month} till {last_month}: från {first} till {last}; lägst "
        "{low}, högst {high}.",
    ),
    "kpi_interval": (
        "{month} · interval {lower} to {upper}",
        "{month} · intervall {lower} till {upper}",
    ),
    "kpi_change": ("{change} ({lower} to {upper})", "{change} ({lower} till {upper})"),
    "no_kpis": (
        "No published values for this neighbourhood yet.",
        "Inga publicerade värden för området än.",
    ),
    "alerts": ("Active alerts", "Aktiva larm"),
    "alerts_help": (
        "Alerts from the three months up to {month}: a clear rise or fall against the months "
        "before, a steady trend, or a sudden shift.",
        "Larm från de tre månaderna fram till {month}: en tydlig ökning eller minskning mot "
        "månaderna innan, en stadig trend eller ett plötsligt skifte.",
    ),
    "no_alerts": (
        "No alerts in the three months up to {month}.",
        "Inga larm under de tre månaderna fram till {month}.",
    ),
    "kind": ("Kind", "Typ"),
    "message": ("Message", "Meddelande"),
    "trend": ("The index month by month", "Indexet månad för månad"),
    "trend_caption": (
        "Bands: 95% intervals. Dashed lines: an intercultural action starts (hover for its name).",
        "Band: 95 %-intervall. Streckade linjer: en interkulturell insats startar (håll "
        "muspekaren över för namnet).",
    ),
    "brief": (
        "Printable brief for {name} (open, then print to PDF)",
        "Utskrivbar sammanfattning för {name} (öppna och skriv ut som PDF)",
    ),
    "brief_title": ("Neighbourhood brief: {name}", "Områdesrapport: {name}"),
    "brief_note": (
        "Aggregates only, small cells suppressed. Intervals are 95%. Printed from the Social "
        "Trust Barometer, run {run}.",
        "Endast aggregat, små celler undertryckta. Intervallen är 95 %. Utskrivet från den "
        "sociala tillitsbarometern, körning {run}.",
    ),
    # trends
    "trends_compare": ("Compare neighbourhoods", "Jämför områden"),
    "trends_caption": (
        "Bands: 95% intervals. Dashed lines: actions starting. Triangles: alerts (change "
        "points, significant rises or declines); hover for the message.",
        "Band: 95 %-intervall. Streckade linjer: insatser startar. Trianglar: larm (brytpunkter, "
        "signifikanta ökningar eller minskningar); håll muspekaren över för meddelandet.",
    ),
    "sources": ("Sources side by side", "Källorna sida vid sida"),
    "sources_help": (
        "Each panel is one source in its own units. **Sources disagree** in a month when one "
        "source places the neighbourhood clearly on the more-trusting side of that month's "
        "median across neighbourhoods (its 95% interval wholly above it, or below for "
        "indicators where higher means less trust) while another places it clearly on the "
        "less-trusting side. Such months are marked with a red rule and listed below: read "
        "them with care.",
        "Varje panel är en källa i sina egna enheter. **Källorna är oeniga** en månad då en "
        "källa placerar området tydligt på den mer tillitsfulla sidan av månadens median över "
        "områdena (hela 95 %-intervallet över den, eller under för indikatorer där högre "
        "betyder mindre tillit) medan en annan placerar det tydligt på den mindre tillitsfulla "
        "sidan. Sådana månader markeras med en röd linje och listas nedan: tolka dem varsamt.",
    ),
    "disagree": ("Sources disagree", "Källorna är oeniga"),
    "disagree_months": ("Months where sources disagree", "Månader då källorna är oeniga"),
    "no_disagreement": (
        "The sources do not disagree in any month for this selection.",
        "Källorna är inte oeniga någon månad för detta urval.",
    ),
    "position": ("Position vs median", "Läge mot median"),
    "above": ("more trusting", "mer tillitsfull"),
    "below": ("less trusting", "mindre tillitsfull"),
    "level": ("not distinguishable", "går ej att skilja"),
    "no_sources": (
        "No source series published for this selection.",
        "Inga källserier publicerade för detta urval.",
    ),
    # drivers
    "themes": (
        "Themes: share of authors' posts and change",
        "Teman: andel av inläggen och förändring",
    ),
    "hostility": ("Hostility by target group", "Fientlighet per målgrupp"),
    "rumours": ("Rumour prevalence", "Förekomst av rykten"),
    "word_shift": ("Terms that shifted most", "Ord som ändrats mest"),
    "word_shift_help": (
        "Share of authors using a term in the recent period against the period before "
        "(aggregates above the suppression threshold only; no post is shown). Blue: used more, "
        "orange: used less.",
        "Andel skribenter som använder ett ord under den senaste perioden jämfört med perioden "
        "innan (endast aggregat över undertryckningsgränsen; inga inlägg visas). Blått: används "
        "mer, orange: används mindre.",
    ),
    "shift": ("Change (percentage points)", "Förändring (procentenheter)"),
    "term": ("Term", "Ord"),
    "change": ("Change", "Förändring"),
    "more": ("more", "mer"),
    "less": ("less", "mindre"),
    "change_caption": (
        "Change from the previous published month with an approximate 95% interval.",
        "Förändring från föregående publicerade månad med ett ungefärligt 95 %-intervall.",
    ),
    # impact
    "outcome": ("Outcome", "Utfall"),
    "no_impact": (
        "No impact estimates are published yet.",
        "Inga effektskattningar är publicerade än.",
    ),
    "estimates": ("Estimates by method", "Skattningar per metod"),
    "summary": ("In plain words", "Med enkla ord"),
    "event_study": (
        "Event study: effect by months since start",
        "Händelsestudie: effekt per månad sedan start",
    ),
    "synth_gap": (
        "Synthetic control: gap to the synthetic comparison, with placebos",
        "Syntetisk kontroll: skillnad mot den syntetiska jämförelsen, med placebo",
    ),
    "event_time": ("Months since start", "Månader sedan start"),
    "effect": ("Effect", "Effekt"),
    "gap": ("Gap", "Skillnad"),
    "treated": ("treated neighbourhood", "område med insats"),
    "placebo": ("placebo (other neighbourhoods)", "placebo (andra områden)"),
    "impact_error": (
        "The impact module could not estimate this: {error}",
        "Effektmodulen kunde inte skatta detta: {error}",
    ),
    "impact_caption": (
        "Bars and bands: 95% intervals. The dashed line marks the start of the action.",
        "Staplar och band: 95 %-intervall. Den streckade linjen markerar insatsens start.",
    ),
    # models
    "model_cards": ("Model cards", "Modellkort"),
    "task": ("Model", "Modell"),
    "active": ("active", "aktiv"),
    "metric": ("Metric", "Mått"),
    "per_language": ("Metrics per language", "Mått per språk"),
    "audit": ("Bias audit", "Granskning av snedvridning"),
    "no_audit": (
        "No audit results recorded for this model.",
        "Inga granskningsresultat finns för modellen.",
    ),
    "nowcast": (
        "Nowcast of survey trust: validation",
        "Nulägesskattning av enkättillit: validering",
    ),
    "nowcast_help": (
        "Out-of-sample predictions against the survey waves they did not see; points on the "
        "diagonal are perfect.",
        "Prognoser utanför urvalet mot enkätomgångar de inte sett; punkter på diagonalen är "
        "perfekta.",
    ),
    "observed": ("Observed (survey)", "Observerat (enkät)"),
    "predicted": ("Predicted (nowcast)", "Skattat (nulägesskattning)"),
    # quality
    "coverage": (
        "Coverage: rows per source, neighbourhood and month",
        "Täckning: rader per källa, område och månad",
    ),
    "freshness": ("Freshness", "Aktualitet"),
    "last_run": (
        "Last run finished {when} (code {code}).",
        "Senaste körning klar {when} (kod {code}).",
    ),
    "tasks_not_scored": (
        "The last run could not score {tasks}, so the indicators built on it are missing: {why}",
        "Den senaste körningen kunde inte bedöma {tasks}, så indikatorerna som bygger på det "
        "saknas: {why}",
    ),
    "quarantine": ("Rows set aside (quarantine) and why", "Bortlagda rader (karantän) och varför"),
    "reason": ("Reason", "Orsak"),
    "suppressed": (
        "Suppressed cells (below the minimum cell size)",
        "Undertryckta celler (under minsta cellstorlek)",
    ),
    "outages": (
        "Sensor outages: flagged hours per neighbourhood and month",
        "Sensoravbrott: flaggade timmar per område och månad",
    ),
    "no_outages": ("No sensor hours were flagged.", "Inga sensortimmar flaggades."),
    "unassigned": ("(no neighbourhood)", "(inget område)"),
    "first_month": ("First month", "Första månad"),
    "latest_month": ("Latest month", "Senaste månad"),
    "n_effective": ("Based on (effective number)", "Underlag (effektivt antal)"),
    "heatmap_caption": (
        "Darker = fewer rows; numbers are the row counts; blank = no rows.",
        "Mörkare = färre rader; talen är antalet rader; tomt = inga rader.",
    ),
}

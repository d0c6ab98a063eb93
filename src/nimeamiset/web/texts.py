"""What the pages say, Finnish first, Swedish and English beside it."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

TEXTS: dict[str, dict[str, str]] = {
    "product": {"fi": "Nimeämiset", "sv": "Utnämningar", "en": "Nominations"},
    "skip": {"fi": "Siirry sisältöön", "sv": "Gå till innehållet", "en": "Skip to content"},
    "languages": {"fi": "Kieli", "sv": "Språk", "en": "Language"},
    "form_title": {
        "fi": "Edustajan nimeäminen",
        "sv": "Utnämning av representant",
        "en": "Naming a representative",
    },
    "organisation": {"fi": "Organisaatio", "sv": "Organisation", "en": "Organisation"},
    "body": {"fi": "Toimielin", "sv": "Organ", "en": "Body"},
    "deadline": {"fi": "Määräaika", "sv": "Svaren senast", "en": "Reply by"},
    "deadline_by": {"fi": "{date} mennessä", "sv": "senast {date}", "en": "by {date}"},
    "first_meeting": {"fi": "Ensimmäinen kokous", "sv": "Första mötet", "en": "First meeting"},
    "ask": {
        "fi": "Nimetkää varsinainen jäsen ja hänelle henkilökohtainen varajäsen.",
        "sv": "Utse en ordinarie medlem och en personlig ersättare för hen.",
        "en": "Name a member and a personal deputy for them.",
    },
    "required_note": {
        "fi": "Nimi ja sähköposti ovat pakollisia.",
        "sv": "Namn och e-post är obligatoriska.",
        "en": "Name and email are required.",
    },
    "role": {"fi": "Rooli", "sv": "Roll", "en": "Role"},
    "member": {"fi": "Varsinainen jäsen", "sv": "Ordinarie medlem", "en": "Member"},
    "deputy": {"fi": "Varajäsen", "sv": "Ersättare", "en": "Deputy"},
    "seat": {"fi": "paikka {n}", "sv": "plats {n}", "en": "seat {n}"},
    "name": {"fi": "Nimi", "sv": "Namn", "en": "Name"},
    "title": {"fi": "Tehtävänimike", "sv": "Titel", "en": "Job title"},
    "email": {"fi": "Sähköposti", "sv": "E-post", "en": "Email"},
    "phone": {"fi": "Puhelin", "sv": "Telefon", "en": "Phone"},
    "required": {"fi": "pakollinen", "sv": "obligatorisk", "en": "required"},
    "optional": {"fi": "vapaaehtoinen", "sv": "frivillig", "en": "optional"},
    "gender": {"fi": "Sukupuoli", "sv": "Kön", "en": "Gender"},
    "gender_woman": {"fi": "Nainen", "sv": "Kvinna", "en": "Woman"},
    "gender_man": {"fi": "Mies", "sv": "Man", "en": "Man"},
    "gender_other": {"fi": "Muu", "sv": "Annat", "en": "Other"},
    "gender_balance_note": {
        "fi": "Tasa-arvolain 4 a §:n mukaan toimielimessä on oltava vähintään 40 % sekä naisia "
        "että miehiä. Pyydämme ehdottamaan kullekin paikalle sekä naista että miestä ja "
        "kertomaan kunkin sukupuolen.",
        "sv": "Enligt 4 a § i jämställdhetslagen ska organet ha minst 40 % kvinnor och män. Vi "
        "ber er föreslå både en kvinna och en man för varje plats och ange deras kön.",
        "en": "Under section 4 a of the Equality Act a body must have at least 40 % women and "
        "40 % men. Please propose both a woman and a man for each seat and give their gender.",
    },
    "ask_seats": {
        "fi": "Organisaatiollanne on {n} paikkaa. Nimetkää kullekin varsinainen jäsen ja hänelle "
        "henkilökohtainen varajäsen.",
        "sv": "Er organisation har {n} platser. Utse för varje plats en ordinarie medlem och en "
        "personlig ersättare.",
        "en": "Your organisation has {n} seats. Name a member and a personal deputy for each.",
    },
    "joint_note": {
        "fi": "Paikka on yhteinen muiden organisaatioiden kanssa: ensimmäinen nimeäminen täyttää "
        "sen, ja muut voivat vahvistaa sen tai pyytää muutosta.",
        "sv": "Platsen delas med andra organisationer: den första utnämningen fyller den, och de "
        "andra kan bekräfta den eller begära en ändring.",
        "en": "This seat is shared with other organisations: the first nomination fills it, and "
        "the others can confirm it or ask for a change.",
    },
    "joint_taken_title": {
        "fi": "Yhteinen paikka on jo täytetty",
        "sv": "Den gemensamma platsen är redan fylld",
        "en": "The shared seat is already filled",
    },
    "joint_taken": {
        "fi": "{organisation} on jo nimennyt yhteiselle paikalle:",
        "sv": "{organisation} har redan utsett till den gemensamma platsen:",
        "en": "{organisation} has already named the shared seat's people:",
    },
    "joint_confirm": {
        "fi": "Vahvistamme nimeämisen",
        "sv": "Vi bekräftar utnämningen",
        "en": "We confirm the nomination",
    },
    "joint_message": {"fi": "Muutospyyntö", "sv": "Begäran om ändring", "en": "Request a change"},
    "joint_message_hint": {
        "fi": "Kertokaa, mitä haluatte muuttaa. Pyyntö menee kierroksen yhteyshenkilölle.",
        "sv": "Berätta vad ni vill ändra. Begäran går till omgångens kontaktperson.",
        "en": "Tell us what you would change. The request goes to the round's contact person.",
    },
    "joint_change": {"fi": "Lähetä muutospyyntö", "sv": "Skicka begäran", "en": "Send request"},
    "joint_confirmed": {
        "fi": "Vahvistitte yhteisen paikan nimeämisen.",
        "sv": "Ni bekräftade utnämningen till den gemensamma platsen.",
        "en": "You confirmed the nomination to the shared seat.",
    },
    "joint_objected": {
        "fi": "Pyysitte muutosta yhteisen paikan nimeämiseen. Yhteyshenkilö käsittelee pyynnön.",
        "sv": "Ni begärde en ändring. Kontaktpersonen behandlar begäran.",
        "en": "You asked for a change. The contact person will handle it.",
    },
    "send": {"fi": "Lähetä", "sv": "Skicka", "en": "Send"},
    "decline_heading": {
        "fi": "Jos ette nimeä edustajaa",
        "sv": "Om ni inte utser någon",
        "en": "If you name nobody",
    },
    "decline_intro": {
        "fi": "Kertokaa lyhyesti, miksi organisaationne ei nimeä edustajaa.",
        "sv": "Berätta kort varför er organisation inte utser någon representant.",
        "en": "Tell us briefly why your organisation names no representative.",
    },
    "reason": {"fi": "Perustelu", "sv": "Motivering", "en": "Reason"},
    "decline": {
        "fi": "Emme nimeä edustajaa",
        "sv": "Vi utser ingen representant",
        "en": "We name no representative",
    },
    "error_summary": {
        "fi": "Tarkista nämä kohdat",
        "sv": "Kontrollera de här punkterna",
        "en": "Please check these",
    },
    "error_prefix": {"fi": "Virhe", "sv": "Fel", "en": "Error"},
    "err_required": {"fi": "Kirjoita {field}.", "sv": "Fyll i {field}.", "en": "Enter {field}."},
    "err_too_long": {
        "fi": "{field}: enintään 200 merkkiä.",
        "sv": "{field}: högst 200 tecken.",
        "en": "{field}: at most 200 characters.",
    },
    "err_email": {
        "fi": "Sähköpostiosoite ei kelpaa. Muoto on nimi@esimerkki.fi.",
        "sv": "E-postadressen duger inte. Formen är namn@exempel.fi.",
        "en": "This email address is not valid. The form is name@example.fi.",
    },
    "err_phone": {
        "fi": "Puhelinnumero ei kelpaa. Esimerkiksi 044 123 4567 tai +46 70 123 4567.",
        "sv": "Telefonnumret duger inte. Till exempel 044 123 4567 eller +46 70 123 4567.",
        "en": "This phone number is not valid. For example 044 123 4567 or +46 70 123 4567.",
    },
    "err_choice": {
        "fi": "Valitse yksi vaihtoehdoista.",
        "sv": "Välj ett av alternativen.",
        "en": "Choose one of the options.",
    },
    "err_message": {
        "fi": "Kirjoita muutospyyntö.",
        "sv": "Skriv begäran.",
        "en": "Enter your request.",
    },
    "err_reason": {
        "fi": "Kirjoita perustelu.",
        "sv": "Skriv en motivering.",
        "en": "Enter a reason.",
    },
    "replied_nominated": {
        "fi": "Olette vastanneet {when}. Voitte korjata vastausta alla.",
        "sv": "Ni svarade {when}. Ni kan rätta svaret nedan.",
        "en": "You replied on {when}. You can correct your reply below.",
    },
    "replied_declined": {
        "fi": "Ilmoititte {when}, ettei organisaationne nimeä edustajaa. Voitte vielä nimetä "
        "edustajan alla.",
        "sv": "Ni meddelade {when} att ni inte utser någon. Ni kan ännu utse en nedan.",
        "en": "On {when} you told us you name nobody. You can still name someone below.",
    },
    "past_deadline": {
        "fi": "Määräaika on päättynyt. Vastaus otetaan yhä vastaan, ja se merkitään "
        "myöhästyneeksi.",
        "sv": "Tidsfristen har gått ut. Svar tas ändå emot och markeras som försenade.",
        "en": "The deadline has passed. Replies are still accepted and marked late.",
    },
    "thanks_title": {
        "fi": "Kiitos, vastaus on vastaanotettu",
        "sv": "Tack, svaret har tagits emot",
        "en": "Thank you, your reply was received",
    },
    "thanks_copy": {
        "fi": "Lähetämme vahvistuksen ja kopion vastauksesta osoitteeseen {email}.",
        "sv": "Vi skickar en bekräftelse med en kopia av svaret till {email}.",
        "en": "We are sending a confirmation with a copy of the reply to {email}.",
    },
    "thanks_late": {
        "fi": "Vastaus saapui määräajan jälkeen ja on merkitty myöhästyneeksi.",
        "sv": "Svaret kom efter tidsfristen och har markerats som försenat.",
        "en": "The reply came after the deadline and is marked late.",
    },
    "declined_summary": {
        "fi": "Ilmoititte, ettei organisaationne nimeä edustajaa.",
        "sv": "Ni meddelade att ni inte utser någon representant.",
        "en": "You told us you name no representative.",
    },
    "change": {"fi": "Korjaa vastausta", "sv": "Rätta svaret", "en": "Correct the reply"},
    "contact": {"fi": "Lisätiedot", "sv": "Mer information", "en": "More information"},
    "too_many_title": {
        "fi": "Liian monta muutosta tänään",
        "sv": "För många ändringar i dag",
        "en": "Too many changes today",
    },
    "too_many_body": {
        "fi": "Vastausta on muutettu tänään jo {n} kertaa tämän linkin kautta. Vastaus on "
        "tallessa; voitte muuttaa sitä taas huomenna tai ottaa yhteyttä pyynnön lähettäjään.",
        "sv": "Svaret har redan ändrats {n} gånger i dag via denna länk. Svaret är sparat; ni "
        "kan ändra det igen i morgon eller kontakta avsändaren.",
        "en": "The reply has already been changed {n} times today through this link. It is "
        "saved; you can change it again tomorrow or contact whoever sent the request.",
    },
    "invalid_title": {
        "fi": "Linkki ei ole voimassa",
        "sv": "Länken är inte giltig",
        "en": "This link is not valid",
    },
    "invalid_body": {
        "fi": "Tarkista, että kopioit linkin kokonaan sähköpostista. Jos ongelma jatkuu, ota "
        "yhteyttä pyynnön lähettäjään.",
        "sv": "Kontrollera att du kopierade hela länken från e-posten. Kontakta avsändaren om "
        "problemet kvarstår.",
        "en": "Check that you copied the whole link from the email. If it still fails, contact "
        "whoever sent the request.",
    },
}


def translate(lang: str) -> Mapping[str, str]:
    lang = lang if lang in LANGUAGE_NAMES else "fi"
    return {key: values.get(lang) or values["fi"] for key, values in TEXTS.items()}

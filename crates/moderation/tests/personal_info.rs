//! Table-driven tests of the personal-information detectors: what must be found (with the
//! exact text of each span) and the many numbers in French comments that identify nobody.
#![allow(clippy::unwrap_used)]

use moderation::personal_info::{PersonalInfoKind, PersonalInfoMatch, find_personal_info};
use proptest::prelude::*;

use PersonalInfoKind::{
    Email, HealthInsuranceNumber, PaymentCard, Phone, PostalCode, SocialInsuranceNumber,
    StreetAddress,
};

const PUBLIC_PHONES: &[&str] = &["418 555-0199", "1 (819) 555-2000", "5145554000"];

fn public_phones() -> Vec<String> {
    PUBLIC_PHONES
        .iter()
        .map(|phone| phone.to_string())
        .collect()
}

/// Runs the detectors on `input` and compares kinds and matched texts, in order.
fn check(input: &str, expected: &[(PersonalInfoKind, &str)]) {
    let found = find_personal_info(input, &public_phones());
    let actual: Vec<(PersonalInfoKind, &str)> = found
        .iter()
        .map(|found| (found.kind, &input[found.byte_start..found.byte_end]))
        .collect();
    assert_eq!(actual, expected, "input: {input:?}");
}

// ----- Phones -------------------------------------------------------------------------

#[test]
fn phones_in_every_usual_format_are_found() {
    check(
        "Appelez-moi au (418) 555-1234 svp",
        &[(Phone, "(418) 555-1234")],
    );
    check("mon cell: 418-555-1234", &[(Phone, "418-555-1234")]);
    check("Tél. 418.555.1234.", &[(Phone, "418.555.1234")]);
    check("écrivez au 418 555 1234, merci", &[(Phone, "418 555 1234")]);
    check("texte moi 4185551234", &[(Phone, "4185551234")]);
    check(
        "Rejoignez-moi au +1 514 555 1234",
        &[(Phone, "+1 514 555 1234")],
    );
    check(
        "1-819-555-1234 c'est chez nous",
        &[(Phone, "1-819-555-1234")],
    );
    check("au 1 (819) 555-1234", &[(Phone, "1 (819) 555-1234")]);
    check("+14385551234", &[(Phone, "+14385551234")]);
    check("Mon numéro : 450 555-9876", &[(Phone, "450 555-9876")]);
    check("(581)555-4321", &[(Phone, "(581)555-4321")]);
    check("appelez le 873 555 0000", &[(Phone, "873 555 0000")]);
    check(
        "367-555-1212 ou 263-555-1212",
        &[(Phone, "367-555-1212"), (Phone, "263-555-1212")],
    );
    check(
        "354 555 2222 et 468 555 3333",
        &[(Phone, "354 555 2222"), (Phone, "468 555 3333")],
    );
    check(
        "mon frère à Toronto: 416-555-0123",
        &[(Phone, "416-555-0123")],
    );
    check(
        "au bureau 418 555-1234 poste 123",
        &[(Phone, "418 555-1234 poste 123")],
    );
    check(
        "514-555-1234, ext. 45 le matin",
        &[(Phone, "514-555-1234, ext. 45")],
    );
    check("819 555 1234 #204", &[(Phone, "819 555 1234 #204")]);
    check(
        "en 2023 418 555 1234 était mon numéro",
        &[(Phone, "418 555 1234")],
    );
    check(
        "tel\u{a0}: 418\u{a0}555\u{a0}1234",
        &[(Phone, "418\u{a0}555\u{a0}1234")],
    );
}

#[test]
fn invalid_north_american_numbers_are_not_phones() {
    // Area codes and exchanges start with 2-9 and are never N11; a middle 9 is reserved.
    check("018-555-1234", &[]);
    check("118-555-1234", &[]);
    check("411-555-1234", &[]);
    check("418-155-1234", &[]);
    check("418-911-1234", &[]);
    check("493-555-1234", &[]);
    // Not North American.
    check("+33 1 42 68 53 00", &[]);
    check("+44 418 555 1234", &[]);
}

#[test]
fn toll_free_and_public_numbers_are_not_personal() {
    check("Info-Santé: 1 800 569-4264", &[]);
    check("1-833-555-1234", &[]);
    check("844 555 1234", &[]);
    check("(855) 555-1234", &[]);
    check("18665551234", &[]);
    check("877.555.1234", &[]);
    check("888-555-1234 poste 2", &[]);
    check("Appelez le 418 555-0199 pour info", &[]);
    check("Le service: 819-555-2000", &[]);
    check("Le service: 1 819 555 2000", &[]);
    check("(514) 555-4000", &[]);
    // A public number next to a personal one: only the personal one.
    check(
        "pas le 418 555-0199 mais le 418 555-0198",
        &[(Phone, "418 555-0198")],
    );
}

// ----- E-mail addresses ---------------------------------------------------------------

#[test]
fn email_addresses_are_found() {
    check(
        "écrivez-moi: jean.tremblay@gmail.com",
        &[(Email, "jean.tremblay@gmail.com")],
    );
    check(
        "mon courriel est marie-eve_123@videotron.ca.",
        &[(Email, "marie-eve_123@videotron.ca")],
    );
    check(
        "(pierre+ville@hotmail.fr)",
        &[(Email, "pierre+ville@hotmail.fr")],
    );
    check("andré@québec.ca", &[(Email, "andré@québec.ca")]);
    check(
        "contact: x@sous.domaine.qc.ca",
        &[(Email, "x@sous.domaine.qc.ca")],
    );
    // A named mailbox on a municipal domain is still a person's.
    check(
        "jean.roy@ville.quebec.qc.ca",
        &[(Email, "jean.roy@ville.quebec.qc.ca")],
    );
    check(
        "4185551234@sms.fido.ca",
        &[(Email, "4185551234@sms.fido.ca")],
    );
}

#[test]
fn things_with_an_at_sign_that_are_not_email_addresses() {
    check("@VilleDeQuebec merci!", &[]);
    check("rendez-vous @ 14h", &[]);
    check("jean@localhost", &[]);
    check("jean@.com", &[]);
    check("jean.@gmail.com", &[]);
    check("nom@domaine.c", &[]);
    check("nom@domaine.123", &[]);
}

// ----- NAS ----------------------------------------------------------------------------

#[test]
fn social_insurance_numbers_are_found() {
    check(
        "mon NAS est 130 692 544",
        &[(SocialInsuranceNumber, "130 692 544")],
    );
    check(
        "NAS: 130-692-544",
        &[(SocialInsuranceNumber, "130-692-544")],
    );
    check("130692544", &[(SocialInsuranceNumber, "130692544")]);
    check(
        "résident temporaire 987 654 324",
        &[(SocialInsuranceNumber, "987 654 324")],
    );
    check(
        "c'est 278 394 283.",
        &[(SocialInsuranceNumber, "278 394 283")],
    );
}

#[test]
fn nine_digit_numbers_that_are_not_social_insurance_numbers() {
    // Luhn fails.
    check("le numéro 130 692 545", &[]);
    // First digit 0 or 8 is never issued.
    check("046 454 286", &[]);
    check("812 345 676", &[]);
    // File, reference and invoice numbers, even Luhn-valid.
    check("dossier 130-692-544", &[]);
    check("numéro de dossier 130692544", &[]);
    check("Dossier no 130 692 544", &[]);
    check("no de référence : 130692544", &[]);
    check("Facture 130692544 payée", &[]);
    check("règlement 130-692-544", &[]);
    // Amounts and thousands.
    check("1 130 692 544 $", &[]);
    check("130 692 544 $", &[]);
    check("130 692 544 dollars", &[]);
    check("un budget de 130 692 544 dollars", &[]);
    check("130 692 544 123 habitants", &[]);
    check("130.692.544", &[]);
    // Counts written with French thousands spaces.
    check("le nombre est passé de 123 456 789 à 130 692 544.", &[]);
    check("environ 130 692 544 visites", &[]);
    // The same digits grouped with dashes, or labelled, are a NAS.
    check(
        "passé de 130-692-544",
        &[(SocialInsuranceNumber, "130-692-544")],
    );
    check(
        "mon NAS est de 130 692 544",
        &[(SocialInsuranceNumber, "130 692 544")],
    );
}

// ----- RAMQ ---------------------------------------------------------------------------

#[test]
fn health_insurance_numbers_are_found() {
    check(
        "ma carte soleil TREM 8501 1234",
        &[(HealthInsuranceNumber, "TREM 8501 1234")],
    );
    check("TREM85011234", &[(HealthInsuranceNumber, "TREM85011234")]);
    check(
        "RAMQ: GAGM 9062 1512",
        &[(HealthInsuranceNumber, "GAGM 9062 1512")],
    );
    check(
        "lavj 0312 3199",
        &[(HealthInsuranceNumber, "lavj 0312 3199")],
    );
    check(
        "BOUS-8502-2903",
        &[(HealthInsuranceNumber, "BOUS-8502-2903")],
    );
}

#[test]
fn things_that_look_like_health_insurance_numbers_but_are_not() {
    // Month 13 and 63 do not exist, 30 February neither.
    check("TREM 8513 1234", &[]);
    check("TREM 8563 1234", &[]);
    check("TREM 8502 3012", &[]);
    check("TREM 8501 0012", &[]);
    // Three letters, or glued to a longer word.
    check("TRE 8501 1234", &[]);
    check("XTREM 8501 1234", &[]);
    // An ordinary word before a date-like number.
    check("pour 85011234", &[]);
}

// ----- Payment cards ------------------------------------------------------------------

#[test]
fn payment_cards_are_found() {
    check(
        "ma carte 4111 1111 1111 1111 exp 12/27",
        &[(PaymentCard, "4111 1111 1111 1111")],
    );
    check(
        "4111-1111-1111-1111",
        &[(PaymentCard, "4111-1111-1111-1111")],
    );
    check("5500000000000004", &[(PaymentCard, "5500000000000004")]);
    check(
        "amex 3782 822463 10005",
        &[(PaymentCard, "3782 822463 10005")],
    );
    check(
        "6011 1111 1111 1117",
        &[(PaymentCard, "6011 1111 1111 1117")],
    );
    check(
        "2221 0000 0000 0009",
        &[(PaymentCard, "2221 0000 0000 0009")],
    );
}

#[test]
fn long_numbers_that_are_not_payment_cards() {
    // Luhn fails.
    check("4111 1111 1111 1112", &[]);
    // Luhn-valid but no known issuer.
    check("1111 1111 1111 1117", &[]);
    // An amount.
    check("4 111 111 111 111 111 $", &[]);
}

// ----- Postal codes -------------------------------------------------------------------

#[test]
fn postal_codes_are_found() {
    check("Québec (Québec) G1R 4S5", &[(PostalCode, "G1R 4S5")]);
    check("h2x1y4", &[(PostalCode, "h2x1y4")]);
    check("J8T-2B6", &[(PostalCode, "J8T-2B6")]);
    check("G1V\u{a0}0A6.", &[(PostalCode, "G1V\u{a0}0A6")]);
}

#[test]
fn postal_code_look_alikes_are_not_postal_codes() {
    // D, F, I, O, Q, U never appear; W and Z never come first.
    check("D1R 4S5", &[]);
    check("G1F 4S5", &[]);
    check("G1R 4O5", &[]);
    check("W1R 4S5", &[]);
    check("Z2A 1B1", &[]);
    check("produit U8I-9Q0", &[]);
    // Glued to a longer code.
    check("XG1R4S5", &[]);
    check("G1R4S5X", &[]);
}

// ----- Street addresses ---------------------------------------------------------------

#[test]
fn a_persons_street_address_is_found() {
    check(
        "J'habite au 123, rue Principale",
        &[(StreetAddress, "123, rue Principale")],
    );
    check(
        "j’habite au 45 avenue des Pins",
        &[(StreetAddress, "45 avenue des Pins")],
    );
    check(
        "4500 boul. Henri-Bourassa Est, app. 12",
        &[(StreetAddress, "4500 boul. Henri-Bourassa Est, app. 12")],
    );
    check(
        "Mon adresse: 12 chemin de la Montagne",
        &[(StreetAddress, "12 chemin de la Montagne")],
    );
    check(
        "il demeure au 88 rang Saint-Joseph",
        &[(StreetAddress, "88 rang Saint-Joseph")],
    );
    check(
        "elle reste au 7 montée du Moulin",
        &[(StreetAddress, "7 montée du Moulin")],
    );
    check(
        "venez chez moi au 3 côte de la Fabrique",
        &[(StreetAddress, "3 côte de la Fabrique")],
    );
    check(
        "mon voisin au 12 croissant des Lilas fait du bruit",
        &[(StreetAddress, "12 croissant des Lilas")],
    );
    check(
        "je reste au 45, 3e Avenue",
        &[(StreetAddress, "45, 3e Avenue")],
    );
    check(
        "on habite 221 rue principale",
        &[(StreetAddress, "221 rue principale")],
    );
    check(
        "123 rue Saint-Jean, Québec G1R 1P6",
        &[
            (StreetAddress, "123 rue Saint-Jean"),
            (PostalCode, "G1R 1P6"),
        ],
    );
    check(
        "22 impasse des Ormes #3",
        &[(StreetAddress, "22 impasse des Ormes #3")],
    );
    check(
        "j'habite 1200 av. Cartier, appartement 4, Québec",
        &[(StreetAddress, "1200 av. Cartier, appartement 4")],
    );
}

#[test]
fn published_and_historical_addresses_are_not_personal() {
    check("L'hôtel de ville est au 123, rue Principale", &[]);
    check("La séance aura lieu au 2175 chemin Sainte-Foy", &[]);
    check("En 1885, la famille habitait au 12 rue Saint-Louis", &[]);
    check(
        "Le bureau d'arrondissement, 4500 boul. Henri-Bourassa Est",
        &[],
    );
    check("Travaux sur la route 138 cet été", &[]);
    check("Les 3 rues fermées", &[]);
    check("La 1re avenue est fermée", &[]);
}

// ----- Numbers that identify nobody ---------------------------------------------------

#[test]
fn amounts_dates_and_references_are_not_personal_information() {
    check("Le projet coûte 1 234 567 $", &[]);
    check("45,99 $ pour un permis", &[]);
    check("2 500 000 dollars gaspillés", &[]);
    check("le 2023-04-15 à 14 h 30", &[]);
    check("le 15/04/2023", &[]);
    check("depuis 1998", &[]);
    check("le règlement 2023-145", &[]);
    check("règlement no 1234-56", &[]);
    check("dossier 123-456-789", &[]);
    check("une hausse de 4,5 %", &[]);
    check("à 14:30 ou 9h15", &[]);
    check("version 10.0.19045", &[]);
    check("Taxes: 4 185 551 234 $", &[]);
    check("4185551234,50 $", &[]);
    check("COVID19 et H1N1", &[]);
    check("réf. 418-555-1234", &[]);
    check("le lot 4 185 551", &[]);
    check("418 555 123 personnes", &[]);
}

// ----- Several kinds together, and spans ----------------------------------------------

#[test]
fn several_kinds_in_one_comment_are_all_found_in_order() {
    check(
        "Jean Tremblay, 418-555-1234, jean@gmail.com, NAS 130 692 544, G1R 4S5",
        &[
            (Phone, "418-555-1234"),
            (Email, "jean@gmail.com"),
            (SocialInsuranceNumber, "130 692 544"),
            (PostalCode, "G1R 4S5"),
        ],
    );
}

#[test]
fn kinds_have_stable_ids_and_french_labels() {
    let ids: Vec<&str> = PersonalInfoKind::ALL.iter().map(|kind| kind.id()).collect();
    assert_eq!(
        ids,
        [
            "phone",
            "email",
            "social_insurance_number",
            "health_insurance_number",
            "payment_card",
            "postal_code",
            "street_address"
        ]
    );
    assert_eq!(Phone.label_fr(), "numéro de téléphone");
    assert_eq!(
        SocialInsuranceNumber.label_fr(),
        "numéro d'assurance sociale"
    );
}

// ----- More cases, each a trap seen in comments to public bodies ----------------------

#[test]
fn more_phone_formats_and_traps() {
    check("418/555-1234", &[(Phone, "418/555-1234")]);
    check("(514)-555-1234", &[(Phone, "(514)-555-1234")]);
    check("514 - 555 - 1234", &[(Phone, "514 - 555 - 1234")]);
    check("+1 (438) 555-1234", &[(Phone, "+1 (438) 555-1234")]);
    check(
        "579\u{2011}555\u{2011}1234",
        &[(Phone, "579\u{2011}555\u{2011}1234")],
    );
    check("418 5551234", &[(Phone, "418 5551234")]);
    check("418-555-1234 p. 22", &[(Phone, "418-555-1234 p. 22")]);
    check("Numéro: 418-555-1234!", &[(Phone, "418-555-1234")]);
    check("«418 555-1234»", &[(Phone, "418 555-1234")]);
    // A by-law or file number shaped like a phone number is not a phone.
    check("Dossier : 418-555-1234", &[]);
    check("NEQ 2264567890", &[]);
    // Glued to letters or followed by a decimal.
    check("ref418-555-1234", &[]);
    check("418-555-1234abc", &[]);
    check("418 555 1234,75 $", &[]);
    // Dates and fractions around slashes.
    check("15/04/2023 au 16/04/2023", &[]);
    check("1/2 tasse", &[]);
    // Identifiers in web addresses.
    check("https://www.facebook.com/photo.php?fbid=4185551234", &[]);
    check("voir www.youtube.com/watch/130692544 svp", &[]);
}

#[test]
fn more_email_cases() {
    check(
        "Courriel: Jean.Tremblay@Gmail.COM",
        &[(Email, "Jean.Tremblay@Gmail.COM")],
    );
    check(
        "<sylvie.cote@videotron.ca>",
        &[(Email, "sylvie.cote@videotron.ca")],
    );
    check("o'brien@exemple.ca", &[(Email, "o'brien@exemple.ca")]);
    check(
        "a@b.co et c@d.org",
        &[(Email, "a@b.co"), (Email, "c@d.org")],
    );
    check("..jean@gmail.com", &[(Email, "jean@gmail.com")]);
    check("jean@gmail", &[]);
    check("@@@", &[]);
}

#[test]
fn more_nas_cases() {
    check(
        "NAS 123 456 782 svp",
        &[(SocialInsuranceNumber, "123 456 782")],
    );
    check(
        "mon nas:560-123-457",
        &[(SocialInsuranceNumber, "560-123-457")],
    );
    check("730012341", &[(SocialInsuranceNumber, "730012341")]);
    // Thousands, decimals and prices.
    check("123 456 782,50 $", &[]);
    check("le montant de 123456782 $", &[]);
    check("ISBN 978-2-123456-78-2", &[]);
    check("facture no 123 456 782", &[]);
    check("numéro de client 123456782", &[]);
}

#[test]
fn more_health_insurance_number_cases() {
    check(
        "TREM 8551 1234",
        &[(HealthInsuranceNumber, "TREM 8551 1234")],
    );
    check(
        "carte: ROYM\u{a0}7012\u{a0}3145",
        &[(HealthInsuranceNumber, "ROYM\u{a0}7012\u{a0}3145")],
    );
    check(
        "TREM 8502 2912",
        &[(HealthInsuranceNumber, "TREM 8502 2912")],
    );
    check("TREM 8504 3112", &[]);
    check(
        "TREM 85011234 5",
        &[(HealthInsuranceNumber, "TREM 85011234")],
    );
    check("TREM 8501 12345", &[]);
}

#[test]
fn more_card_cases() {
    check(
        "4532 0151 1283 0366",
        &[(PaymentCard, "4532 0151 1283 0366")],
    );
    check(
        "Visa: 4532015112830366.",
        &[(PaymentCard, "4532015112830366")],
    );
    check(
        "5200-8282-8282-8210",
        &[(PaymentCard, "5200-8282-8282-8210")],
    );
    check("378734493671000", &[(PaymentCard, "378734493671000")]);
    // Dots are thousands or versions, not cards.
    check("4532.0151.1283.0366", &[]);
}

#[test]
fn more_postal_code_cases() {
    check("code postal: g1r 4s5", &[(PostalCode, "g1r 4s5")]);
    check("H3A2A7", &[(PostalCode, "H3A2A7")]);
    check("(J4K 1A1)", &[(PostalCode, "J4K 1A1")]);
    check("la route G1R", &[]);
    check("A1A 1A", &[]);
}

#[test]
fn more_street_address_cases() {
    check(
        "Ma voisine habite au 34 rue des Érables et elle fait du bruit",
        &[(StreetAddress, "34 rue des Érables")],
    );
    check(
        "venez me voir, j'habite 12 av. du Parc",
        &[(StreetAddress, "12 av. du Parc")],
    );
    check(
        "je demeure au 1450 ch. Sainte-Foy",
        &[(StreetAddress, "1450 ch. Sainte-Foy")],
    );
    check(
        "elle habite au 12A rue Dufferin",
        &[(StreetAddress, "12A rue Dufferin")],
    );
    check(
        "Mon adresse est 3-1234 rue Mgr-Bourget",
        &[(StreetAddress, "3-1234 rue Mgr-Bourget")],
    );
    check(
        "à 45 allée des Bouleaux, c'est chez nous",
        &[(StreetAddress, "45 allée des Bouleaux")],
    );
    check(
        "j'ai déménagé au 9 terrasse Dufferin",
        &[(StreetAddress, "9 terrasse Dufferin")],
    );
    check(
        "j'habite au 1234, route 132 Est",
        &[(StreetAddress, "1234, route 132 Est")],
    );
    check("on reste au 56 rang 4", &[(StreetAddress, "56 rang 4")]);
    check(
        "je demeure au 210, 4e Rang",
        &[(StreetAddress, "210, 4e Rang")],
    );
    check("Un accident au 1234 route 132 ce matin", &[]);
    // A building's residents, a museum, a past address: not a person's home.
    check("Les résidents du 1200 boulevard Laurier se plaignent", &[]);
    check("Le musée au 2 place Royale est fermé", &[]);
    check("Mon grand-père habitait au 12 rue Saint-Louis en 1920", &[]);
    check("J'habite à Québec. Le 12 rue Principale est fermé.", &[]);
}

#[test]
fn organisation_lines_introduced_as_such_are_not_personal() {
    check(
        "Pour la Direction des ressources humaines, le numéro indiqué est le 418 691-2025.",
        &[],
    );
    check("Le bureau d'arrondissement répond au 514 872-0311.", &[]);
    check("Le code postal de l'hôtel de ville est G1R 4S9.", &[]);
    check(
        "Le voisin du bureau de poste, son numéro: 418 555-1234",
        &[(Phone, "418 555-1234")],
    );
    check(
        "J'habite près de la mairie, G1R 4S9",
        &[(PostalCode, "G1R 4S9")],
    );
    check("Pour plus d'info, composez le 418 641-6411.", &[]);
    check(
        "Le service à la clientèle au 514 872-0311 ne répond jamais",
        &[],
    );
    check("J'ai appelé Services Québec au 418 644-4545", &[]);
    check("Le CLSC: 819-555-1234", &[]);
    // The writer's own number, even in a sentence about the organisation.
    check(
        "Pour plus d'info, appelez-moi au 418 555-1234",
        &[(Phone, "418 555-1234")],
    );
    check(
        "Le CLSC m'a donné le 819-555-1234",
        &[(Phone, "819-555-1234")],
    );
    check(
        "Pour information, mon cell est 418 555-1234",
        &[(Phone, "418 555-1234")],
    );
    // The cue must be in the same sentence.
    check(
        "Composez le 311. Sinon, 418 555-1234",
        &[(Phone, "418 555-1234")],
    );
}

#[test]
fn a_number_the_writer_labels_needs_only_the_right_shape() {
    // Luhn fails, first digit 0, month 34: the label says what they are.
    check(
        "Mon NAS est 123 456 789",
        &[(SocialInsuranceNumber, "123 456 789")],
    );
    check(
        "numéro d'assurance sociale: 046454286",
        &[(SocialInsuranceNumber, "046454286")],
    );
    check(
        "ma carte de crédit 4111 1111 1111 1112",
        &[(PaymentCard, "4111 1111 1111 1112")],
    );
    check(
        "Visa 1234 5678 9012 3456 exp 04/27",
        &[(PaymentCard, "1234 5678 9012 3456")],
    );
    check(
        "carte soleil: TREM 1234 5678",
        &[(HealthInsuranceNumber, "TREM 1234 5678")],
    );
    check(
        "RAMQ TREM12345678",
        &[(HealthInsuranceNumber, "TREM12345678")],
    );
    // Without the label, the same digits stay unflagged.
    check("123 456 789", &[]);
    check("1234 5678 9012 3456", &[]);
    check("TREM 1234 5678", &[]);
    // The label must be a whole word in the same sentence.
    check("Nassim a 123 456 789 raisons", &[]);
    check("Mon NAS est secret. 123 456 789", &[]);
    // A label does not turn an amount or a file number into a NAS.
    check("NAS: dossier 123 456 789", &[]);
    check("le NAS coûte 123 456 789 $", &[]);
}

// ----- Robustness ---------------------------------------------------------------------

fn assert_well_formed(text: &str, found: &[PersonalInfoMatch]) {
    let mut previous_end = 0;
    for found in found {
        assert!(found.byte_start < found.byte_end, "{found:?} in {text:?}");
        assert!(
            found.byte_start >= previous_end,
            "overlap at {found:?} in {text:?}"
        );
        assert!(
            text.is_char_boundary(found.byte_start),
            "{found:?} in {text:?}"
        );
        assert!(
            text.is_char_boundary(found.byte_end),
            "{found:?} in {text:?}"
        );
        previous_end = found.byte_end;
    }
}

#[test]
fn a_megabyte_of_digits_and_separators_is_scanned_to_the_end() {
    let pattern = "4 1-8.5 5(5) 1 2 3 4 1111 ";
    let mut text = pattern.repeat(1_000_000 / pattern.len());
    text.push_str("et 418 555-1234");
    let found = find_personal_info(&text, &[]);
    assert_well_formed(&text, &found);
    assert_eq!(
        found
            .last()
            .map(|found| &text[found.byte_start..found.byte_end]),
        Some("418 555-1234")
    );

    let digits = "1".repeat(1_000_000);
    assert!(find_personal_info(&digits, &[]).is_empty());

    let spaced = "1 ".repeat(500_000);
    assert!(find_personal_info(&spaced, &[]).is_empty());

    let emails = "a@".repeat(500_000);
    assert!(find_personal_info(&emails, &[]).is_empty());
}

#[test]
fn a_megabyte_of_near_misses_of_every_detector_is_scanned_to_the_end() {
    // Each pattern makes a detector look around at every step; all of it must stay bounded.
    for pattern in [
        "j'habite au 1 rue A ",
        "1 rue ",
        "chez moi 12, 3e ",
        "TREM 8501 ",
        "G1R G1R ",
        "a.b@c.d.e.f.",
        "dossier no no no ",
        "418 555 123 ",
        "\u{a0}4\u{202f}1\u{2011}8",
        "https://x/1 ",
        "jean arobase gmail point ",
        "x(at)y.",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa point ",
    ] {
        let text = pattern.repeat(1_000_000 / pattern.len());
        let found = find_personal_info(&text, &public_phones());
        assert_well_formed(&text, &found);
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_spans_are_well_formed(text in "\\PC{0,300}") {
        let found = find_personal_info(&text, &public_phones());
        assert_well_formed(&text, &found);
    }

    #[test]
    fn long_texts_of_detector_tokens_never_panic_and_spans_are_well_formed(
        tokens in proptest::collection::vec(
            proptest::sample::select(vec![
                "418", "555", "1234", "1", "800", "130", "692", "544", "4111", " ", "-", ".",
                "(", ")", "/", ",", "+", "#", "@", "gmail", ".com", "rue", "avenue", "boul.",
                "j'habite", "chez moi", "app.", "G1R", "4S5", "TREM", "8501", "$", "%", "\u{a0}",
                "\u{202f}", "é", "dossier", "poste", "Est", "https://", "\n", "È", "😀",
            ]),
            0..2000,
        )
    ) {
        let text: String = tokens.concat();
        let found = find_personal_info(&text, &public_phones());
        assert_well_formed(&text, &found);
    }

    #[test]
    fn number_like_text_never_panics_and_spans_are_well_formed(
        text in "[0-9 ().+#@a-zA-Z,éÉ\u{a0}\u{202f}-]{0,200}"
    ) {
        let found = find_personal_info(&text, &public_phones());
        assert_well_formed(&text, &found);
    }
}

#[test]
fn spaced_at_signs_are_read_through_when_the_domain_is_common() {
    check(
        "ecrivez moi a gaston.lapointe @ outlook.com svp",
        &[(Email, "gaston.lapointe @ outlook.com")],
    );
    check("marie@ gmail.com", &[(Email, "marie@ gmail.com")]);
    check("merci @ Ville.Quebec", &[]);
    check("rendez-vous @ 14h.", &[]);
}

#[test]
fn role_mailboxes_and_government_addresses_are_not_personal() {
    check(
        "Écrivez à mediassociaux@travail.gouv.qc.ca pour la politique.",
        &[],
    );
    check("info@ville.quebec.qc.ca", &[]);
    check("service.clientele@hydroquebec.com", &[]);
    check("ne-pas-repondre@ville.levis.qc.ca", &[]);
    check("sylvie.cote@ssss.gouv.qc.ca", &[]);
    check("jean.tremblay@canada.ca", &[]);
    // A look-alike of a government domain is not one.
    check(
        "jean@faux-gouv.qc.ca.com",
        &[(Email, "jean@faux-gouv.qc.ca.com")],
    );
    check("jean@notgc.ca", &[(Email, "jean@notgc.ca")]);
    // A role word inside a personal address does not make it a role mailbox.
    check("info.jean@gmail.com", &[(Email, "info.jean@gmail.com")]);
}

#[test]
fn spelled_out_at_signs_and_dots_are_read_through() {
    check(
        "écrivez à jean point tremblay arobase gmail point com",
        &[(Email, "jean point tremblay arobase gmail point com")],
    );
    check("jean(at)videotron.ca", &[(Email, "jean(at)videotron.ca")]);
    check(
        "marie [at] hotmail [dot] com svp",
        &[(Email, "marie [at] hotmail [dot] com")],
    );
    check(
        "ROY.S (AT) GMAIL (DOT) COM",
        &[(Email, "ROY.S (AT) GMAIL (DOT) COM")],
    );
    check("luc{at}cgocable.ca", &[(Email, "luc{at}cgocable.ca")]);
    check(
        "4185551234 arobase sms point ca",
        &[(Email, "4185551234 arobase sms point ca")],
    );
    // Words that happen to be markers, without an address around them.
    check("On se voit à l'arobase du centre-ville", &[]);
    check("look at this point", &[]);
    check("meet at home.paris", &[]);
    check("le point (a) du règlement", &[]);
}

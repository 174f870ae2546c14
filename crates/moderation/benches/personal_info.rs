//! Cost of the personal-information scan on realistic ~200-character comments, with and
//! without personal information. Criterion reports time per comment (one element).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use moderation::personal_info::find_personal_info;
use std::hint::black_box;

/// Ordinary comments to a municipality: amounts, dates, by-laws, times, no personal info.
const COMMENTS_WITHOUT_PERSONAL_INFO: &[&str] = &[
    "Bonjour, je voulais savoir quand la collecte des matières recyclables va reprendre dans mon secteur. Depuis trois semaines, personne ne passe et les bacs débordent. Merci de votre réponse!",
    "Franchement, 2 500 000 $ pour refaire un stationnement, c'est n'importe quoi. Le règlement 2023-145 a été adopté sans consultation. Vous devriez avoir honte de ce dossier, vraiment.",
    "La séance du conseil du 15/04/2023 à 19 h 30 était intéressante, mais pourquoi ne pas la diffuser en direct sur Facebook? Plusieurs citoyens travaillent le soir et ne peuvent pas se déplacer.",
    "Est-ce que la piscine du parc Maisonneuve sera ouverte cet été? L'an passé, elle a fermé dès le 20 août et les enfants étaient déçus. Une hausse de 4,5 % des taxes, c'est beaucoup pour ça.",
    "Merci aux cols bleus pour le déneigement rapide ce matin! La rue était dégagée avant 7 h, du jamais vu dans le quartier. Bravo à toute l'équipe, c'est apprécié par les familles du coin.",
    "Quand est-ce que les travaux sur la route 138 vont finir? Ça fait depuis 2021 que c'est un chantier et on perd 20 minutes chaque matin. Le pont devait être prêt en 2022 selon le plan annoncé.",
    "Je trouve que la nouvelle bibliothèque est magnifique, mais les heures d'ouverture sont trop courtes. Ouvrir de 10 h à 17 h en semaine, ce n'est pas pratique pour les gens qui travaillent.",
    "Le budget 2024 prévoit 1 234 567 $ pour les loisirs et seulement 45 000 $ pour les aînés. Pourquoi une telle différence? J'aimerais qu'on m'explique les priorités du conseil municipal.",
];

/// Comments that do carry personal information, to see the cost of the validating paths.
const COMMENTS_WITH_PERSONAL_INFO: &[&str] = &[
    "Bonjour, mon bac n'a pas été ramassé. Vous pouvez me rappeler au (418) 555-1234 poste 22 ou m'écrire à jean.tremblay@videotron.ca, je suis là toute la journée. Merci beaucoup!",
    "J'habite au 4500 boul. Henri-Bourassa Est, app. 12, Montréal H2B 1V3 et le nid-de-poule devant chez moi est énorme. Mon NAS est 130 692 544 si vous en avez besoin pour le dossier.",
    "Pour ma réclamation, voici ma carte soleil TREM 8501 1234 et ma carte 4111 1111 1111 1111. Je ne sais pas si c'est nécessaire mais je préfère tout donner d'un coup pour aller plus vite.",
];

fn bench_personal_info(criterion: &mut Criterion) {
    let public_phone_numbers = vec!["418 641-6411".to_string(), "1 800 569-4264".to_string()];
    let mut group = criterion.benchmark_group("personal_info");
    for (name, comments) in [
        (
            "comment_without_personal_info",
            COMMENTS_WITHOUT_PERSONAL_INFO,
        ),
        ("comment_with_personal_info", COMMENTS_WITH_PERSONAL_INFO),
    ] {
        group.throughput(Throughput::Elements(comments.len() as u64));
        group.bench_function(name, |bencher| {
            bencher.iter(|| {
                for comment in comments {
                    black_box(find_personal_info(
                        black_box(comment),
                        &public_phone_numbers,
                    ));
                }
            })
        });
    }
    group.finish();

    // Linear time on hostile input: a megabyte of digits and separators, scanned once.
    let pattern = "4 1-8.5 5(5) 1 2 3 4 1111 130 692 544 ";
    let megabyte = pattern.repeat(1_000_000 / pattern.len());
    let mut group = criterion.benchmark_group("personal_info_linear");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(megabyte.len() as u64));
    group.bench_function("megabyte_of_digits_and_separators", |bencher| {
        bencher.iter(|| {
            black_box(find_personal_info(
                black_box(&megabyte),
                &public_phone_numbers,
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_personal_info);
criterion_main!(benches);

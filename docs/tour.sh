#!/usr/bin/env bash
# Replays the README's tour in a fresh folder (/tmp/tour) and prints each command with its real output.
set -u
export COLUMNS=90 NO_COLOR=1 LANGUAGE=en
rm -rf /tmp/tour && mkdir /tmp/tour && cd /tmp/tour
show() { printf '$ %s\n' "$*"; eval "$@" 2>&1; echo; }
show 'coop init coop --name "Bâtissons l'"'"'Alternative"'
show 'coop key new --file keys/agnes --comment agnes@laptop </dev/null'
coop key new --file keys/bernard --comment bernard@phone </dev/null >/dev/null
show 'cd coop'
show 'coop member add agnes --name Agnès --role treasurer --pubkey ../keys/agnes.pub --key ../keys/agnes --since 2020-03-10'
show 'export COOP_AS=agnes COOP_KEY=../keys/agnes'
show 'coop member add bernard --name Bernard --since 2020-03-10'
show 'coop member key add bernard ../keys/bernard.pub'
coop member add eve --name Évê --since 2020-03-10 >/dev/null
show 'coop record bernard agnes 2 "Jardinage chez Bernard" --cat jardinage --date 2026-03-10'
cat > ../slips.csv <<'CSV'
date,payer,earner,hours,description,cat
2026-03-12,eve,bernard,1h30,Réparation du vélo d'Évê,réparation
2026-03-14,coop,eve,2,Temps de réunion : assemblée plénière,réunion
CSV
show 'cat ../slips.csv'
show 'coop record --batch ../slips.csv'
show 'sed -n 1,8p ledger/2026-03.journal'
show 'coop record eve agnes 0.3 Couture'
show 'coop record eve agnes 1 "Couture; payé"'
show 'coop balance'
show 'coop statement bernard'
show 'coop member list'
show 'coop member show eve'
show 'coop balance --member eve --format json'
show 'git log --show-signature -1 --format="%h %s"'
show 'coop revert $(grep -m1 "id:" ledger/2026-03.journal | cut -d" " -f7) --reason "Saisi par erreur"'
show 'hledger -f ledger/2026-03.journal bal'

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>disk errors</source>
        <translation>Datenträgerfehler</translation>
    </message>
    <message>
        <source>disk full</source>
        <translation>Datenträger voll</translation>
    </message>
    <message>
        <source>disk stalled</source>
        <translation>Datenträger blockiert</translation>
    </message>
    <message>
        <source>slow disk</source>
        <translation>langsamer Datenträger</translation>
    </message>
    <message>
        <source>CPU burn</source>
        <translation>CPU-Last</translation>
    </message>
    <message>
        <source>memory pressure</source>
        <translation>Speicherdruck</translation>
    </message>
    <message>
        <source>clogged</source>
        <translation>verzögert</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
</context>
<context>
    <name>iris::ui::ChartsPanel</name>
    <message numerus="yes">
        <source>others (mean of %n)</source>
        <translation>
            <numerusform>übrige (Mittelwert von %n)</numerusform>
            <numerusform>übrige (Mittelwert von %n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Messages per second</source>
        <translation>Nachrichten pro Sekunde</translation>
    </message>
    <message>
        <source>msg/s</source>
        <translation>msg/s</translation>
    </message>
    <message>
        <source>Delivery latency</source>
        <translation>Zustelllatenz</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Connections per node</source>
        <translation>Client-Verbindungen pro Knoten</translation>
    </message>
    <message>
        <source>sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Memory per node</source>
        <translation>Speicher pro Knoten</translation>
    </message>
    <message>
        <source>KiB</source>
        <translation>KiB</translation>
    </message>
    <message>
        <source>Queue depth per node</source>
        <translation>Warteschlangentiefe pro Knoten</translation>
    </message>
    <message>
        <source>inbox messages</source>
        <translation>Nachrichten im Posteingang</translation>
    </message>
    <message>
        <source>Store backlog per node</source>
        <translation>Store-Rückstand pro Knoten</translation>
    </message>
    <message>
        <source>store rows</source>
        <translation>Store-Zeilen</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>gesendet</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>zugestellt</translation>
    </message>
    <message>
        <source>p99.9</source>
        <translation>p99.9</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
</context>
<context>
    <name>iris::ui::EmbeddedSource</name>
    <message>
        <source>New simulated cluster: %1 nodes, seed %2, %3 users</source>
        <translation>Neuer simulierter Cluster: %1 Knoten, Seed %2, %3 Benutzer</translation>
    </message>
</context>
<context>
    <name>iris::ui::FaultsModel</name>
    <message>
        <source>until recovered</source>
        <translation>bis zur Wiederherstellung</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Störung</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Verbleibend</translation>
    </message>
</context>
<context>
    <name>iris::ui::LiveChart</name>
    <message>
        <source>fault</source>
        <translation>Störung</translation>
    </message>
    <message>
        <source>%1 (peak %2 %3, off scale)</source>
        <translation>%1 (Spitze %2 %3, außerhalb der Skala)</translation>
    </message>
    <message>
        <source>Logarithmic scale</source>
        <translation>Logarithmische Skala</translation>
    </message>
</context>
<context>
    <name>iris::ui::MainWindow</name>
    <message>
        <source>Iris console</source>
        <translation>Iris-Konsole</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <source>Run or pause the simulated cluster (Space)</source>
        <translation>Simulierten Cluster laufen lassen oder anhalten (Leertaste)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pause</translation>
    </message>
    <message>
        <source>&amp;Step</source>
        <translation>&amp;Einzelschritt</translation>
    </message>
    <message>
        <source>Run 1 ms of cluster time (F10, while paused)</source>
        <translation>1 ms Cluster-Zeit ausführen (F10, wenn pausiert)</translation>
    </message>
    <message>
        <source>Recover &amp;all</source>
        <translation>&amp;Alles wiederherstellen</translation>
    </message>
    <message>
        <source>Undo every fault now: restart dead nodes, heal partitions, fix disks, make slow readers read (Ctrl+R)</source>
        <translation>Alle Störungen sofort aufheben: ausgefallene Knoten neu starten, Partitionen aufheben, Datenträger reparieren, langsame Empfänger wieder lesen lassen (Strg+R)</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <source>Real time</source>
        <translation>Echtzeit</translation>
    </message>
    <message>
        <source>×10</source>
        <translation>×10</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>So schnell wie möglich</translation>
    </message>
    <message>
        <source>Simulation speed</source>
        <translation>Simulationsgeschwindigkeit</translation>
    </message>
    <message>
        <source> Users </source>
        <translation> Benutzer </translation>
    </message>
    <message>
        <source>Virtual users chatting (added, never removed)</source>
        <translation>Virtuelle Benutzer, die chatten (werden hinzugefügt, nie entfernt)</translation>
    </message>
    <message>
        <source> msgs/s each </source>
        <translation> msgs/s je Benutzer </translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <source>Apply the workload settings</source>
        <translation>Lasteinstellungen übernehmen</translation>
    </message>
    <message>
        <source>Fire tests started: the views show each run</source>
        <translation>Fire-Tests gestartet: Die Ansichten zeigen jeden Lauf</translation>
    </message>
    <message>
        <source>%1 %2: %3 %4</source>
        <translation>%1 %2: %3 %4</translation>
    </message>
    <message>
        <source>PASS</source>
        <translation>PASS</translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation>FAIL</translation>
    </message>
    <message>
        <source>Live charts</source>
        <translation>Live-Diagramme</translation>
    </message>
    <message>
        <source>Fire tests</source>
        <translation>Fire-Tests</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Active faults</source>
        <translation>Aktive Störungen</translation>
    </message>
    <message>
        <source>Hot users and slow consumers</source>
        <translation>Heiße und langsame Empfänger</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Cluster</source>
        <translation>&amp;Cluster</translation>
    </message>
    <message>
        <source>&amp;New simulated cluster…</source>
        <translation>&amp;Neuer simulierter Cluster…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Iris console</source>
        <translation>&amp;Über Iris-Konsole</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>t = %1 s</source>
        <translation>t = %1 s</translation>
    </message>
    <message>
        <source>sent %1 · acknowledged %2 · delivered %3 · violations %4 · %5 events per simulated second</source>
        <translation>gesendet %1 · bestätigt %2 · zugestellt %3 · Verletzungen %4 · %5 Ereignisse pro simulierter Sekunde</translation>
    </message>
    <message>
        <source>Make %1 a slow consumer (30 s)</source>
        <translation>%1 zum langsamen Empfänger machen (30 s)</translation>
    </message>
    <message>
        <source>Let %1 read again</source>
        <translation>%1 wieder lesen lassen</translation>
    </message>
    <message>
        <source>New simulated cluster</source>
        <translation>Neuer simulierter Cluster</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>About Iris console</source>
        <translation>Über Iris-Konsole</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Iris console %1&lt;/h3&gt;&lt;p&gt;Watch a cluster, break it on purpose, run the fire tests. The embedded cluster runs the same engine code as &lt;tt&gt;iris-node&lt;/tt&gt;, on a deterministic simulator.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Iris-Konsole %1&lt;/h3&gt;&lt;p&gt;Beobachten Sie einen Cluster, legen Sie ihn gezielt lahm und führen Sie die Fire-Tests aus. Der eingebettete Cluster nutzt denselben Engine-Code wie &lt;tt&gt;iris-node&lt;/tt&gt;, ausgeführt auf einem deterministischen Simulator.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Messages each user sends per second (0: the workload pauses)</source>
        <translation>Nachrichten, die jeder Benutzer pro Sekunde sendet (0: Last pausiert)</translation>
    </message>
    <message>
        <source> to hot user </source>
        <translation> an heißen Empfänger </translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source>Share of all messages sent to one hot user (u0000)</source>
        <translation>Anteil aller Nachrichten, die an einen heißen Empfänger (u0000) gehen</translation>
    </message>
    <message>
        <source> churn </source>
        <translation> Fluktuation </translation>
    </message>
    <message>
        <source> /s</source>
        <translation> /s</translation>
    </message>
    <message>
        <source>Users going offline for 1-4 s, per second</source>
        <translation>Benutzer pro Sekunde, die für 1-4 s offline gehen</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>The language changes the next time the console starts.</source>
        <translation>Die Sprache wird beim nächsten Start der Konsole geändert.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>&amp;Recent clusters</source>
        <translation>&amp;Zuletzt geöffnete Cluster</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>(noch keine)</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>Liste leeren</translation>
    </message>
    <message>
        <source>Cannot open the recent cluster %1</source>
        <translation>Der zuletzt geöffnete Cluster %1 lässt sich nicht öffnen</translation>
    </message>
    <message>
        <source>10 s</source>
        <translation>10 s</translation>
    </message>
    <message>
        <source>30 s</source>
        <translation>30 s</translation>
    </message>
    <message>
        <source>until recovered</source>
        <translation>bis zur Wiederherstellung</translation>
    </message>
    <message>
        <source>Faults from the menus last</source>
        <translation>Fehler aus den Menüs dauern</translation>
    </message>
    <message>
        <source>Charts show the last</source>
        <translation>Diagramme zeigen die letzten</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>&amp;Attach to cluster…</source>
        <translation>An Cluster &amp;anhängen…</translation>
    </message>
    <message>
        <source>Iris console — attached to %1</source>
        <translation>Iris-Konsole — angehängt an %1</translation>
    </message>
    <message>
        <source>Attach to cluster</source>
        <translation>An Cluster anhängen</translation>
    </message>
    <message>
        <source>127.0.0.1:7480, 127.0.0.1:7481</source>
        <translation>127.0.0.1:7480, 127.0.0.1:7481</translation>
    </message>
    <message>
        <source>viewer or operator token</source>
        <translation>Viewer- oder Operator-Token</translation>
    </message>
    <message>
        <source>TLS (https, wss)</source>
        <translation>TLS (https, wss)</translation>
    </message>
    <message>
        <source>CA certificate (PEM), if the nodes&apos; is self-signed</source>
        <translation>CA-Zertifikat (PEM), falls das der Knoten selbstsigniert ist</translation>
    </message>
    <message>
        <source>Addresses of the nodes&apos; admin API (iris-node --admin-listen). The token is kept in memory only.</source>
        <translation>Adressen der Admin-API der Knoten (iris-node --admin-listen). Das Token bleibt nur im Speicher.</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Anhängen</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>CA-Datei</translation>
    </message>
    <message>
        <source>Give at least one node address.</source>
        <translation>Geben Sie mindestens eine Knotenadresse an.</translation>
    </message>
    <message>
        <source>sends %1 · acknowledged %2 · delivered %3 (all nodes attached)</source>
        <translation>Sendungen %1 · bestätigt %2 · zugestellt %3 (alle angehängten Knoten)</translation>
    </message>
    <message>
        <source>Add a &amp;node</source>
        <translation>&amp;Knoten hinzufügen</translation>
    </message>
</context>
<context>
    <name>iris::ui::NodesModel</name>
    <message>
        <source>down</source>
        <translation>ausgefallen</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>fehlerfrei</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>beeinträchtigt</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Store rows</source>
        <translation>Store-Zeilen</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Angenommen</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Faults</source>
        <translation>Störungen</translation>
    </message>
    <message>
        <source>left</source>
        <translation>ausgetreten</translation>
    </message>
    <message>
        <source>joining</source>
        <translation>tritt bei</translation>
    </message>
    <message>
        <source>leaving</source>
        <translation>tritt aus</translation>
    </message>
</context>
<context>
    <name>iris::ui::PdfReport</name>
    <message>
        <source>%1 (continued)</source>
        <translation>%1 (Fortsetzung)</translation>
    </message>
    <message>
        <source>%1 · %2 · seed %3 · started %4 · Iris %5</source>
        <translation>%1 · %2 · Seed %3 · gestartet %4 · Iris %5</translation>
    </message>
    <message>
        <source>Fault windows, shaded and numbered on the charts:</source>
        <translation>Störungsfenster, in den Diagrammen schattiert und nummeriert:</translation>
    </message>
    <message>
        <source>Replay: %1</source>
        <translation>Reproduzieren: %1</translation>
    </message>
    <message>
        <source>Generated by Iris %1: every figure above was measured in this run; each scenario replays from its seed.</source>
        <translation>Erstellt von Iris %1: Alle obigen Werte wurden in diesem Lauf gemessen; jedes Szenario lässt sich über seinen Seed reproduzieren.</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Seite %1 von %2</translation>
    </message>
    <message>
        <source>the PDF writer could not start</source>
        <translation>der PDF-Writer konnte nicht gestartet werden</translation>
    </message>
    <message>
        <source>%1 · started %2</source>
        <translation>%1 · gestartet %2</translation>
    </message>
    <message>
        <source>the PDF writer failed</source>
        <translation>der PDF-Writer ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>no file name given</source>
        <translation>kein Dateiname angegeben</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>iris::ui::RecentClusters</name>
    <message>
        <source>Simulated: %1 nodes · seed %2 · %3 users</source>
        <translation>Simuliert: %1 Knoten · Seed %2 · %3 Benutzer</translation>
    </message>
    <message>
        <source>Attached: %1%2</source>
        <translation>Angehängt: %1%2</translation>
    </message>
</context>
<context>
    <name>iris::ui::RemoteSource</name>
    <message>
        <source>%1: %2 failed: node unreachable (%3)</source>
        <translation>%1: %2 fehlgeschlagen: Knoten nicht erreichbar (%3)</translation>
    </message>
    <message>
        <source>%1: %2 refused: wrong or missing token</source>
        <translation>%1: %2 abgelehnt: falsches oder fehlendes Token</translation>
    </message>
    <message>
        <source>%1: %2 refused: %3</source>
        <translation>%1: %2 abgelehnt: %3</translation>
    </message>
    <message>
        <source>%1: %2 failed (HTTP %3): %4</source>
        <translation>%1: %2 fehlgeschlagen (HTTP %3): %4</translation>
    </message>
    <message>
        <source>attach</source>
        <translation>Anhängen</translation>
    </message>
    <message>
        <source>%1: attached</source>
        <translation>%1: angehängt</translation>
    </message>
    <message>
        <source>%1: stream lost; reconnecting</source>
        <translation>%1: Stream verloren; neue Verbindung</translation>
    </message>
    <message>
        <source>%1: stream refused (%2)</source>
        <translation>%1: Stream abgelehnt (%2)</translation>
    </message>
    <message>
        <source>attached: %1 (%2 of %3 streams)</source>
        <translation>angehängt: %1 (%2 von %3 Streams)</translation>
    </message>
    <message>
        <source>%1 sees %2 %3</source>
        <translation>%1 sieht %2 %3</translation>
    </message>
    <message>
        <source>up</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>down</source>
        <translation>ausgefallen</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <source>%1: recovered all</source>
        <translation>%1: alles wiederhergestellt</translation>
    </message>
    <message>
        <source>recover all</source>
        <translation>Alles wiederherstellen</translation>
    </message>
    <message>
        <source>%1: not attached to its admin API</source>
        <translation>%1: nicht an seine Admin-API angehängt</translation>
    </message>
</context>
<context>
    <name>iris::ui::RunnerPanel</name>
    <message>
        <source>Smoke (seconds)</source>
        <translation>Smoke-Test (Sekunden)</translation>
    </message>
    <message>
        <source>Standard (minutes)</source>
        <translation>Standard (Minuten)</translation>
    </message>
    <message>
        <source>Full (as large as fits)</source>
        <translation>Vollständig (so groß wie möglich)</translation>
    </message>
    <message>
        <source>Watch: ×4 real time</source>
        <translation>Mitverfolgen: ×4 Echtzeit</translation>
    </message>
    <message>
        <source>Watch: ×20 real time</source>
        <translation>Mitverfolgen: ×20 Echtzeit</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>So schnell wie möglich</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Bericht exportieren</translation>
    </message>
    <message>
        <source>HTML…</source>
        <translation>HTML…</translation>
    </message>
    <message>
        <source>HTML (*.html)</source>
        <translation>HTML (*.html)</translation>
    </message>
    <message>
        <source>Markdown…</source>
        <translation>Markdown…</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>JSON…</source>
        <translation>JSON…</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>JUnit XML…</source>
        <translation>JUnit-XML…</translation>
    </message>
    <message>
        <source>JUnit XML (*.xml)</source>
        <translation>JUnit-XML (*.xml)</translation>
    </message>
    <message>
        <source>PDF…</source>
        <translation>PDF…</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>Szenario</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>Umfang</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Geschwindigkeit</translation>
    </message>
    <message>
        <source>%1 (%2 of %3) %p%</source>
        <translation>%1 (%2 von %3) %p%</translation>
    </message>
    <message>
        <source>PASS</source>
        <translation>PASS</translation>
    </message>
    <message>
        <source>FAIL</source>
        <translation>FAIL</translation>
    </message>
    <message>
        <source>%1 of %2 passed</source>
        <translation>%1 von %2 bestanden</translation>
    </message>
    <message>
        <source>no report yet: run some scenarios first</source>
        <translation>noch kein Bericht: Führen Sie zuerst einige Szenarien aus</translation>
    </message>
    <message>
        <source>Export the fire-test report</source>
        <translation>Fire-Test-Bericht exportieren</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>iris::ui::ScenarioRunner</name>
    <message>
        <source>scenario %1, seed %2</source>
        <translation>Szenario %1, Seed %2</translation>
    </message>
</context>
<context>
    <name>iris::ui::SimWorker</name>
    <message>
        <source>%1 applied%2</source>
        <translation>%1 angewendet%2</translation>
    </message>
    <message>
        <source> for %1 s</source>
        <translation> für %1 s</translation>
    </message>
    <message>
        <source>Recover all: every fault undone</source>
        <translation>Alles wiederherstellen: alle Störungen aufgehoben</translation>
    </message>
    <message>
        <source>Workload: %1 users, %2 msgs/s each, %3</source>
        <translation>Last: %1 Benutzer, je %2 msgs/s, %3</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>all links</source>
        <translation>alle Verbindungen</translation>
    </message>
    <message>
        <source>%1 expired</source>
        <translation>%1 abgelaufen</translation>
    </message>
    <message>
        <source>%1 is up</source>
        <translation>%1 ist aktiv</translation>
    </message>
    <message>
        <source>%1 is down</source>
        <translation>%1 ist ausgefallen</translation>
    </message>
    <message>
        <source>embedded: %1 nodes, seed %2</source>
        <translation>eingebettet: %1 Knoten, Seed %2</translation>
    </message>
    <message>
        <source>View %1: %2</source>
        <translation>Sicht %1: %2</translation>
    </message>
    <message>
        <source>View %1 not made (%2): %3</source>
        <translation>Sicht %1 nicht übernommen (%2): %3</translation>
    </message>
    <message>
        <source>%1 refused for now: %2</source>
        <translation>%1 vorerst abgelehnt: %2</translation>
    </message>
</context>
<context>
    <name>iris::ui::TopologyView</name>
    <message>
        <source>%1k</source>
        <translation>%1k</translation>
    </message>
    <message>
        <source>%1M</source>
        <translation>%1M</translation>
    </message>
    <message>
        <source>disk errors</source>
        <translation>Datenträgerfehler</translation>
    </message>
    <message>
        <source>disk full</source>
        <translation>Datenträger voll</translation>
    </message>
    <message>
        <source>disk stalled</source>
        <translation>Datenträger blockiert</translation>
    </message>
    <message>
        <source>disk slow</source>
        <translation>Datenträger langsam</translation>
    </message>
    <message>
        <source>CPU +%1 ms</source>
        <translation>CPU +%1 ms</translation>
    </message>
    <message>
        <source>mem %1/shard</source>
        <translation>Speicher %1/Shard</translation>
    </message>
    <message>
        <source>clog +%1 ms</source>
        <translation>verzögert +%1 ms</translation>
    </message>
    <message>
        <source>DOWN</source>
        <translation>AUSGEFALLEN</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>beeinträchtigt</translation>
    </message>
    <message>
        <source>up</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>%1 sessions · %2 users</source>
        <translation>%1 Sitzungen · %2 Benutzer</translation>
    </message>
    <message>
        <source>mem %1 · store %2 rows</source>
        <translation>Speicher %1 · Store %2 Zeilen</translation>
    </message>
    <message>
        <source>down · incarnation %1</source>
        <translation>ausgefallen · Inkarnation %1</translation>
    </message>
    <message>
        <source>store %1 rows</source>
        <translation>Store %1 Zeilen</translation>
    </message>
    <message>
        <source>no faults</source>
        <translation>keine Störungen</translation>
    </message>
    <message>
        <source>+%1</source>
        <translation>+%1</translation>
    </message>
    <message>
        <source>no shards</source>
        <translation>keine Shards</translation>
    </message>
    <message>
        <source>no shards while down</source>
        <translation>keine Shards, solange ausgefallen</translation>
    </message>
    <message>
        <source>s%1</source>
        <translation>s%1</translation>
    </message>
    <message>
        <source>%1 (+%2)</source>
        <translation>%1 (+%2)</translation>
    </message>
    <message>
        <source>→ %1</source>
        <translation>→ %1</translation>
    </message>
    <message>
        <source>%1: %2, incarnation %3</source>
        <translation>%1: %2, Inkarnation %3</translation>
    </message>
    <message>
        <source>down</source>
        <translation>ausgefallen</translation>
    </message>
    <message>
        <source>%1 sessions, %2 users, %3 in inboxes, memory %4</source>
        <translation>%1 Sitzungen, %2 Benutzer, %3 in Posteingängen, Speicher %4</translation>
    </message>
    <message>
        <source>accepted %1, delivered %2, forwarded %3, hand-off queued %4</source>
        <translation>angenommen %1, zugestellt %2, weitergeleitet %3, zur Übergabe wartend %4</translation>
    </message>
    <message>
        <source>refused: store %1, retry later %2, rate %3, order %4</source>
        <translation>abgelehnt: Store %1, später erneut %2, Rate %3, Reihenfolge %4</translation>
    </message>
    <message>
        <source>store: %1 rows, %2</source>
        <translation>Store: %1 Zeilen, %2</translation>
    </message>
    <message>
        <source>hand-off for %1</source>
        <translation>Übergabe für %1</translation>
    </message>
    <message>
        <source>hot: %1 in %2 buckets, %3 queued</source>
        <translation>heiß: %1 in %2 Buckets, %3 wartend</translation>
    </message>
    <message>
        <source>faults: %1</source>
        <translation>Störungen: %1</translation>
    </message>
    <message>
        <source>Right-click for faults; Ctrl+click to select several.</source>
        <translation>Rechtsklick für Störungen; Strg+Klick für Mehrfachauswahl.</translation>
    </message>
    <message>
        <source>Partition: %1 and %2 cannot reach each other</source>
        <translation>Partition: %1 und %2 erreichen einander nicht</translation>
    </message>
    <message>
        <source>One-way partition: nothing from %1 reaches %2</source>
        <translation>Einseitige Partition: Nichts von %1 erreicht %2</translation>
    </message>
    <message>
        <source>✂ cut</source>
        <translation>✂ getrennt</translation>
    </message>
    <message>
        <source>✂ %1 ↛ %2</source>
        <translation>✂ %1 ↛ %2</translation>
    </message>
    <message>
        <source>Right-click a node, a link or empty space to inject faults. Ctrl+click or drag to select several nodes.</source>
        <translation>Rechtsklick auf einen Knoten, eine Verbindung oder eine freie Fläche löst Störungen aus. Strg+Klick oder Ziehen wählt mehrere Knoten aus.</translation>
    </message>
    <message>
        <source>link up</source>
        <translation>Verbindung aktiv</translation>
    </message>
    <message>
        <source>link slow (rtt &gt; 20 ms)</source>
        <translation>Verbindung langsam (RTT &gt; 20 ms)</translation>
    </message>
    <message>
        <source>link up on one side only</source>
        <translation>Verbindung nur einseitig aktiv</translation>
    </message>
    <message>
        <source>link down</source>
        <translation>Verbindung unterbrochen</translation>
    </message>
    <message>
        <source>✂ partition (↛ one-way)</source>
        <translation>✂ Partition (↛ einseitig)</translation>
    </message>
    <message>
        <source>node healthy</source>
        <translation>Knoten fehlerfrei</translation>
    </message>
    <message>
        <source>node degraded (fault active)</source>
        <translation>Knoten beeinträchtigt (Störung)</translation>
    </message>
    <message>
        <source>node down</source>
        <translation>Knoten ausgefallen</translation>
    </message>
    <message>
        <source>inbox per router shard</source>
        <translation>Posteingang pro Router-Shard</translation>
    </message>
    <message>
        <source>hot recipient: inbox buckets</source>
        <translation>heißer Empfänger: Buckets</translation>
    </message>
    <message>
        <source>Cluster topology</source>
        <translation>Cluster-Topologie</translation>
    </message>
    <message>
        <source>%1 of %2 nodes up · cut links: %3</source>
        <translation>%1 von %2 Knoten aktiv · getrennte Verbindungen: %3</translation>
    </message>
    <message>
        <source> · loss %1%</source>
        <translation> · Verlust %1%</translation>
    </message>
    <message>
        <source>t = %1 s</source>
        <translation>t = %1 s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1: no report (down)</source>
        <translation>%1: keine Meldung (ausgefallen)</translation>
    </message>
    <message>
        <source>%1 sees %2 %3, rtt %4 ms (%5)</source>
        <translation>%1 sieht %2 als %3, RTT %4 ms (%5)</translation>
    </message>
    <message>
        <source>Waiting for the first snapshot…</source>
        <translation>Warten auf den ersten Snapshot…</translation>
    </message>
    <message>
        <source>node %1</source>
        <translation>Knoten %1</translation>
    </message>
    <message>
        <source>For 10 s</source>
        <translation>Für 10 s</translation>
    </message>
    <message>
        <source>10 s</source>
        <translation>10 s</translation>
    </message>
    <message>
        <source>For 30 s</source>
        <translation>Für 30 s</translation>
    </message>
    <message>
        <source>30 s</source>
        <translation>30 s</translation>
    </message>
    <message>
        <source>Until recovered</source>
        <translation>Bis zur Wiederherstellung</translation>
    </message>
    <message>
        <source>until recovered</source>
        <translation>bis zur Wiederherstellung</translation>
    </message>
    <message>
        <source>Duration: %1</source>
        <translation>Dauer: %1</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>One-way: %1 cannot reach %2</source>
        <translation>Einseitig: %1 erreicht %2 nicht</translation>
    </message>
    <message>
        <source>%1 (up)</source>
        <translation>%1 (aktiv)</translation>
    </message>
    <message>
        <source>%1 (down)</source>
        <translation>%1 (ausgefallen)</translation>
    </message>
    <message>
        <source>Kill</source>
        <translation>Hart beenden</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <source>Drain and restart</source>
        <translation>Entleeren und neu starten</translation>
    </message>
    <message>
        <source>Isolate from the others</source>
        <translation>Von den anderen isolieren</translation>
    </message>
    <message>
        <source>Slow disk (20 ms)</source>
        <translation>Datenträger verlangsamen (20 ms)</translation>
    </message>
    <message>
        <source>Stall disk (2 s)</source>
        <translation>Datenträger blockieren (2 s)</translation>
    </message>
    <message>
        <source>Disk full</source>
        <translation>Datenträger voll</translation>
    </message>
    <message>
        <source>Disk errors</source>
        <translation>Datenträgerfehler</translation>
    </message>
    <message>
        <source>CPU burn (10 ms per frame)</source>
        <translation>CPU-Last (10 ms pro Frame)</translation>
    </message>
    <message>
        <source>Memory pressure (64 KiB per shard)</source>
        <translation>Speicherdruck (64 KiB pro Shard)</translation>
    </message>
    <message>
        <source>Clog links (+50 ms)</source>
        <translation>Verbindungen verzögern (+50 ms)</translation>
    </message>
    <message>
        <source>Selected: %1</source>
        <translation>Ausgewählt: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Partition selected from the rest</source>
        <translation>Auswahl vom Rest abtrennen</translation>
    </message>
    <message>
        <source>Partition these two</source>
        <translation>Diese beiden voneinander trennen</translation>
    </message>
    <message>
        <source>Kill selected</source>
        <translation>Ausgewählte hart beenden</translation>
    </message>
    <message>
        <source>Link %1 ↔ %2</source>
        <translation>Verbindung %1 ↔ %2</translation>
    </message>
    <message>
        <source>Partition (two-way)</source>
        <translation>Partition (beidseitig)</translation>
    </message>
    <message>
        <source>Heal partitions</source>
        <translation>Partitionen aufheben</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <source>Recover all</source>
        <translation>Alles wiederherstellen</translation>
    </message>
    <message>
        <source>healthy links not drawn: %1</source>
        <translation>nicht gezeichnete fehlerfreie Verbindungen: %1</translation>
    </message>
    <message>
        <source>+%1 ms</source>
        <translation>+%1 ms</translation>
    </message>
    <message>
        <source>%1% loss</source>
        <translation>%1 % Verlust</translation>
    </message>
    <message>
        <source>%1 → %2 degraded: +%3 ms, %4% of packets lost</source>
        <translation>%1 → %2 gestört: +%3 ms, %4 % der Pakete verloren</translation>
    </message>
    <message>
        <source>Add latency</source>
        <translation>Latenz hinzufügen</translation>
    </message>
    <message>
        <source>+%1 ms each way</source>
        <translation>+%1 ms je Richtung</translation>
    </message>
    <message>
        <source>Lose packets</source>
        <translation>Pakete verlieren</translation>
    </message>
    <message>
        <source>%1% (TCP resends after 200 ms)</source>
        <translation>%1 % (TCP sendet nach 200 ms erneut)</translation>
    </message>
    <message>
        <source>Clog (+2 s each way)</source>
        <translation>Verstopfen (+2 s je Richtung)</translation>
    </message>
    <message>
        <source>Restore this link</source>
        <translation>Diese Verbindung wiederherstellen</translation>
    </message>
    <message>
        <source>left</source>
        <translation>ausgetreten</translation>
    </message>
    <message>
        <source>joining</source>
        <translation>tritt bei</translation>
    </message>
    <message>
        <source>leaving</source>
        <translation>tritt aus</translation>
    </message>
    <message>
        <source>member: %1 · view epoch %2 · %3</source>
        <translation>Mitglied: %1 · Sicht-Epoche %2 · %3</translation>
    </message>
    <message>
        <source>Leave the cluster (its users move away)</source>
        <translation>Cluster verlassen (seine Benutzer ziehen um)</translation>
    </message>
    <message>
        <source>left the cluster: owns no user</source>
        <translation>hat den Cluster verlassen: besitzt keine Benutzer</translation>
    </message>
</context>
<context>
    <name>iris::ui::UsersModel</name>
    <message>
        <source>hot</source>
        <translation>heiß</translation>
    </message>
    <message>
        <source>slow consumer</source>
        <translation>langsamer Empfänger</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>Heimatknoten</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Buckets</source>
        <translation>Buckets</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Posteingang</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Iris operator console: watch a cluster, break it, run the fire tests.</source>
        <translation>Iris-Bedienkonsole: einen Cluster beobachten, lahmlegen und die Fire-Tests ausführen.</translation>
    </message>
    <message>
        <source>Nodes of the embedded cluster.</source>
        <translation>Anzahl der Knoten des eingebetteten Clusters.</translation>
    </message>
    <message>
        <source>Seed of the embedded cluster.</source>
        <translation>Seed des eingebetteten Clusters.</translation>
    </message>
    <message>
        <source>Virtual users chatting.</source>
        <translation>Anzahl der virtuellen, chattenden Benutzer.</translation>
    </message>
    <message>
        <source>Save the window to FILE and exit.</source>
        <translation>Das Fenster in FILE speichern und beenden.</translation>
    </message>
    <message>
        <source>Seconds to run before --screenshot.</source>
        <translation>Laufzeit in Sekunden vor --screenshot.</translation>
    </message>
    <message>
        <source>Attach to real nodes&apos; admin API (token: IRIS_ADMIN_TOKEN).</source>
        <translation>An die Admin-API echter Knoten anhängen (Token: IRIS_ADMIN_TOKEN).</translation>
    </message>
    <message>
        <source>The admin API speaks TLS.</source>
        <translation>Die Admin-API spricht TLS.</translation>
    </message>
    <message>
        <source>CA certificate (PEM) to trust.</source>
        <translation>Vertrauenswürdiges CA-Zertifikat (PEM).</translation>
    </message>
</context>
</TS>

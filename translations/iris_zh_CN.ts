<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <source>disk errors</source>
        <translation>磁盘错误</translation>
    </message>
    <message>
        <source>disk full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>disk stalled</source>
        <translation>磁盘停顿</translation>
    </message>
    <message>
        <source>slow disk</source>
        <translation>磁盘缓慢</translation>
    </message>
    <message>
        <source>CPU burn</source>
        <translation>CPU 消耗</translation>
    </message>
    <message>
        <source>memory pressure</source>
        <translation>内存压力</translation>
    </message>
    <message>
        <source>clogged</source>
        <translation>链路拥塞</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
</context>
<context>
    <name>iris::ui::ChartsPanel</name>
    <message numerus="yes">
        <source>others (mean of %n)</source>
        <translation>
            <numerusform>其余（%n 个节点的平均值）</numerusform>
        </translation>
    </message>
    <message>
        <source>Messages per second</source>
        <translation>每秒消息数</translation>
    </message>
    <message>
        <source>msg/s</source>
        <translation>条/秒</translation>
    </message>
    <message>
        <source>Delivery latency</source>
        <translation>投递延迟</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Connections per node</source>
        <translation>每节点连接数</translation>
    </message>
    <message>
        <source>sessions</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Memory per node</source>
        <translation>每节点内存</translation>
    </message>
    <message>
        <source>KiB</source>
        <translation>KiB</translation>
    </message>
    <message>
        <source>Queue depth per node</source>
        <translation>每节点队列深度</translation>
    </message>
    <message>
        <source>inbox messages</source>
        <translation>收件箱消息</translation>
    </message>
    <message>
        <source>Store backlog per node</source>
        <translation>每节点存储积压</translation>
    </message>
    <message>
        <source>store rows</source>
        <translation>存储行</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>已投递</translation>
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
        <translation>新模拟集群：%1 个节点，种子 %2，%3 个用户</translation>
    </message>
</context>
<context>
    <name>iris::ui::FaultsModel</name>
    <message>
        <source>until recovered</source>
        <translation>直至恢复</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>剩余时间</translation>
    </message>
</context>
<context>
    <name>iris::ui::LiveChart</name>
    <message>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>%1 (peak %2 %3, off scale)</source>
        <translation>%1（峰值 %2 %3，超出刻度）</translation>
    </message>
    <message>
        <source>Logarithmic scale</source>
        <translation>对数刻度</translation>
    </message>
</context>
<context>
    <name>iris::ui::MainWindow</name>
    <message>
        <source>Iris console</source>
        <translation>Iris 控制台</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>Run or pause the simulated cluster (Space)</source>
        <translation>运行或暂停模拟集群（空格键）</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Step</source>
        <translation>单步(&amp;S)</translation>
    </message>
    <message>
        <source>Run 1 ms of cluster time (F10, while paused)</source>
        <translation>将集群时间推进 1 ms（F10，仅在暂停时可用）</translation>
    </message>
    <message>
        <source>Recover &amp;all</source>
        <translation>全部恢复(&amp;A)</translation>
    </message>
    <message>
        <source>Undo every fault now: restart dead nodes, heal partitions, fix disks, make slow readers read (Ctrl+R)</source>
        <translation>立即撤销所有故障：重启宕机节点、修复分区、修复磁盘、让慢消费者恢复读取（Ctrl+R）</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
    <message>
        <source>Real time</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>×10</source>
        <translation>×10</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>全速</translation>
    </message>
    <message>
        <source>Simulation speed</source>
        <translation>模拟速度</translation>
    </message>
    <message>
        <source> Users </source>
        <translation> 用户数 </translation>
    </message>
    <message>
        <source>Virtual users chatting (added, never removed)</source>
        <translation>正在聊天的虚拟用户数（只增不减）</translation>
    </message>
    <message>
        <source> msgs/s each </source>
        <translation> 每人 条/秒 </translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Apply the workload settings</source>
        <translation>应用负载设置</translation>
    </message>
    <message>
        <source>Fire tests started: the views show each run</source>
        <translation>故障演练已开始：各视图将显示每次运行</translation>
    </message>
    <message>
        <source>%1 %2: %3 %4</source>
        <translation>%1 %2：%3 %4</translation>
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
        <translation>实时图表</translation>
    </message>
    <message>
        <source>Fire tests</source>
        <translation>故障演练</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Active faults</source>
        <translation>活动故障</translation>
    </message>
    <message>
        <source>Hot users and slow consumers</source>
        <translation>热点用户与慢消费者</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>事件日志</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Cluster</source>
        <translation>集群(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;New simulated cluster…</source>
        <translation>新建模拟集群(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Iris console</source>
        <translation>关于 Iris 控制台(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>t = %1 s</source>
        <translation>t = %1 秒</translation>
    </message>
    <message>
        <source>sent %1 · acknowledged %2 · delivered %3 · violations %4 · %5 events per simulated second</source>
        <translation>已发送 %1 · 已确认 %2 · 已投递 %3 · 违规 %4 · 每模拟秒 %5 个事件</translation>
    </message>
    <message>
        <source>Make %1 a slow consumer (30 s)</source>
        <translation>将 %1 设为慢消费者（30 秒）</translation>
    </message>
    <message>
        <source>Let %1 read again</source>
        <translation>让 %1 恢复读取</translation>
    </message>
    <message>
        <source>New simulated cluster</source>
        <translation>新建模拟集群</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户数</translation>
    </message>
    <message>
        <source>About Iris console</source>
        <translation>关于 Iris 控制台</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Iris console %1&lt;/h3&gt;&lt;p&gt;Watch a cluster, break it on purpose, run the fire tests. The embedded cluster runs the same engine code as &lt;tt&gt;iris-node&lt;/tt&gt;, on a deterministic simulator.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Iris 控制台 %1&lt;/h3&gt;&lt;p&gt;观察集群、有意制造故障、运行故障演练。内嵌集群在确定性模拟器上运行与 &lt;tt&gt;iris-node&lt;/tt&gt; 相同的引擎代码。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Messages each user sends per second (0: the workload pauses)</source>
        <translation>每个用户每秒发送的消息数（0：暂停负载）</translation>
    </message>
    <message>
        <source> to hot user </source>
        <translation> 热点用户占比 </translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source>Share of all messages sent to one hot user (u0000)</source>
        <translation>发往单个热点用户（u0000）的消息占全部消息的比例</translation>
    </message>
    <message>
        <source> churn </source>
        <translation> 掉线 </translation>
    </message>
    <message>
        <source> /s</source>
        <translation> /秒</translation>
    </message>
    <message>
        <source>Users going offline for 1-4 s, per second</source>
        <translation>每秒暂时离线（1-4 秒）的用户数</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>The language changes the next time the console starts.</source>
        <translation>语言将在下次启动控制台时生效。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>&amp;Recent clusters</source>
        <translation>最近的集群(&amp;R)</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>Cannot open the recent cluster %1</source>
        <translation>无法打开最近的集群 %1</translation>
    </message>
    <message>
        <source>10 s</source>
        <translation>10 秒</translation>
    </message>
    <message>
        <source>30 s</source>
        <translation>30 秒</translation>
    </message>
    <message>
        <source>until recovered</source>
        <translation>直到恢复</translation>
    </message>
    <message>
        <source>Faults from the menus last</source>
        <translation>菜单注入的故障持续</translation>
    </message>
    <message>
        <source>Charts show the last</source>
        <translation>图表显示最近</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>&amp;Attach to cluster…</source>
        <translation>连接到集群(&amp;A)…</translation>
    </message>
    <message>
        <source>Iris console — attached to %1</source>
        <translation>Iris 控制台 — 已连接到 %1</translation>
    </message>
    <message>
        <source>Attach to cluster</source>
        <translation>连接到集群</translation>
    </message>
    <message>
        <source>127.0.0.1:7480, 127.0.0.1:7481</source>
        <translation>127.0.0.1:7480, 127.0.0.1:7481</translation>
    </message>
    <message>
        <source>viewer or operator token</source>
        <translation>查看者或操作员令牌</translation>
    </message>
    <message>
        <source>TLS (https, wss)</source>
        <translation>TLS（https、wss）</translation>
    </message>
    <message>
        <source>CA certificate (PEM), if the nodes&apos; is self-signed</source>
        <translation>CA 证书（PEM），如果节点证书是自签名的</translation>
    </message>
    <message>
        <source>Addresses of the nodes&apos; admin API (iris-node --admin-listen). The token is kept in memory only.</source>
        <translation>节点管理 API 的地址（iris-node --admin-listen）。令牌只保存在内存中。</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>CA 文件</translation>
    </message>
    <message>
        <source>Give at least one node address.</source>
        <translation>请至少提供一个节点地址。</translation>
    </message>
    <message>
        <source>sends %1 · acknowledged %2 · delivered %3 (all nodes attached)</source>
        <translation>发送 %1 · 已确认 %2 · 已投递 %3（所有已连接节点）</translation>
    </message>
    <message>
        <source>Add a &amp;node</source>
        <translation>添加节点(&amp;N)</translation>
    </message>
</context>
<context>
    <name>iris::ui::NodesModel</name>
    <message>
        <source>down</source>
        <translation>宕机</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>降级</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Store rows</source>
        <translation>存储行数</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已投递</translation>
    </message>
    <message>
        <source>Faults</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>left</source>
        <translation>已退出</translation>
    </message>
    <message>
        <source>joining</source>
        <translation>加入中</translation>
    </message>
    <message>
        <source>leaving</source>
        <translation>退出中</translation>
    </message>
</context>
<context>
    <name>iris::ui::PdfReport</name>
    <message>
        <source>%1 (continued)</source>
        <translation>%1（续）</translation>
    </message>
    <message>
        <source>%1 · %2 · seed %3 · started %4 · Iris %5</source>
        <translation>%1 · %2 · 种子 %3 · 开始于 %4 · Iris %5</translation>
    </message>
    <message>
        <source>Fault windows, shaded and numbered on the charts:</source>
        <translation>故障时间窗（在图表中以阴影标出并编号）：</translation>
    </message>
    <message>
        <source>Replay: %1</source>
        <translation>重放：%1</translation>
    </message>
    <message>
        <source>Generated by Iris %1: every figure above was measured in this run; each scenario replays from its seed.</source>
        <translation>由 Iris %1 生成：以上所有数据均在本次运行中测得；每个场景均可通过其种子重放。</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>第 %1 页，共 %2 页</translation>
    </message>
    <message>
        <source>the PDF writer could not start</source>
        <translation>PDF 写入器无法启动</translation>
    </message>
    <message>
        <source>%1 · started %2</source>
        <translation>%1 · 开始于 %2</translation>
    </message>
    <message>
        <source>the PDF writer failed</source>
        <translation>PDF 写入器出错</translation>
    </message>
    <message>
        <source>no file name given</source>
        <translation>未指定文件名</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>iris::ui::RecentClusters</name>
    <message>
        <source>Simulated: %1 nodes · seed %2 · %3 users</source>
        <translation>模拟：%1 个节点 · 种子 %2 · %3 个用户</translation>
    </message>
    <message>
        <source>Attached: %1%2</source>
        <translation>已连接：%1%2</translation>
    </message>
</context>
<context>
    <name>iris::ui::RemoteSource</name>
    <message>
        <source>%1: %2 failed: node unreachable (%3)</source>
        <translation>%1：%2 失败：节点不可达（%3）</translation>
    </message>
    <message>
        <source>%1: %2 refused: wrong or missing token</source>
        <translation>%1：%2 被拒绝：令牌错误或缺失</translation>
    </message>
    <message>
        <source>%1: %2 refused: %3</source>
        <translation>%1：%2 被拒绝：%3</translation>
    </message>
    <message>
        <source>%1: %2 failed (HTTP %3): %4</source>
        <translation>%1：%2 失败（HTTP %3）：%4</translation>
    </message>
    <message>
        <source>attach</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>%1: attached</source>
        <translation>%1：已连接</translation>
    </message>
    <message>
        <source>%1: stream lost; reconnecting</source>
        <translation>%1：数据流中断；正在重连</translation>
    </message>
    <message>
        <source>%1: stream refused (%2)</source>
        <translation>%1：数据流被拒绝（%2）</translation>
    </message>
    <message>
        <source>attached: %1 (%2 of %3 streams)</source>
        <translation>已连接：%1（%2/%3 个数据流）</translation>
    </message>
    <message>
        <source>%1 sees %2 %3</source>
        <translation>%1 看到 %2 %3</translation>
    </message>
    <message>
        <source>up</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>down</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1，位于 %2</translation>
    </message>
    <message>
        <source>%1: recovered all</source>
        <translation>%1：已全部恢复</translation>
    </message>
    <message>
        <source>recover all</source>
        <translation>全部恢复</translation>
    </message>
    <message>
        <source>%1: not attached to its admin API</source>
        <translation>%1：未连接到其管理 API</translation>
    </message>
</context>
<context>
    <name>iris::ui::RunnerPanel</name>
    <message>
        <source>Smoke (seconds)</source>
        <translation>冒烟（数秒）</translation>
    </message>
    <message>
        <source>Standard (minutes)</source>
        <translation>标准（数分钟）</translation>
    </message>
    <message>
        <source>Full (as large as fits)</source>
        <translation>完整（规模尽可能大）</translation>
    </message>
    <message>
        <source>Watch: ×4 real time</source>
        <translation>观看：实时 ×4</translation>
    </message>
    <message>
        <source>Watch: ×20 real time</source>
        <translation>观看：实时 ×20</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>全速</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>HTML…</source>
        <translation>HTML…</translation>
    </message>
    <message>
        <source>HTML (*.html)</source>
        <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
        <source>Markdown…</source>
        <translation>Markdown…</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <source>JSON…</source>
        <translation>JSON…</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>JUnit XML…</source>
        <translation>JUnit XML…</translation>
    </message>
    <message>
        <source>JUnit XML (*.xml)</source>
        <translation>JUnit XML 文件 (*.xml)</translation>
    </message>
    <message>
        <source>PDF…</source>
        <translation>PDF…</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>规模</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>%1 (%2 of %3) %p%</source>
        <translation>%1（第 %2 个，共 %3 个）%p%</translation>
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
        <translation>%2 个中有 %1 个通过</translation>
    </message>
    <message>
        <source>no report yet: run some scenarios first</source>
        <translation>尚无报告：请先运行一些场景</translation>
    </message>
    <message>
        <source>Export the fire-test report</source>
        <translation>导出故障演练报告</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
</context>
<context>
    <name>iris::ui::ScenarioRunner</name>
    <message>
        <source>scenario %1, seed %2</source>
        <translation>场景 %1，种子 %2</translation>
    </message>
</context>
<context>
    <name>iris::ui::SimWorker</name>
    <message>
        <source>%1 applied%2</source>
        <translation>已注入 %1%2</translation>
    </message>
    <message>
        <source> for %1 s</source>
        <translation>，持续 %1 秒</translation>
    </message>
    <message>
        <source>Recover all: every fault undone</source>
        <translation>全部恢复：所有故障均已撤销</translation>
    </message>
    <message>
        <source>Workload: %1 users, %2 msgs/s each, %3</source>
        <translation>负载：%1 个用户，每人 %2 条/秒，%3</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>all links</source>
        <translation>所有链路</translation>
    </message>
    <message>
        <source>%1 expired</source>
        <translation>%1 已到期</translation>
    </message>
    <message>
        <source>%1 is up</source>
        <translation>%1 已上线</translation>
    </message>
    <message>
        <source>%1 is down</source>
        <translation>%1 已宕机</translation>
    </message>
    <message>
        <source>embedded: %1 nodes, seed %2</source>
        <translation>内嵌：%1 个节点，种子 %2</translation>
    </message>
    <message>
        <source>View %1: %2</source>
        <translation>视图 %1：%2</translation>
    </message>
    <message>
        <source>View %1 not made (%2): %3</source>
        <translation>视图 %1 未生效（%2）：%3</translation>
    </message>
    <message>
        <source>%1 refused for now: %2</source>
        <translation>%1 暂被拒绝：%2</translation>
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
        <translation>磁盘错误</translation>
    </message>
    <message>
        <source>disk full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>disk stalled</source>
        <translation>磁盘停顿</translation>
    </message>
    <message>
        <source>disk slow</source>
        <translation>磁盘缓慢</translation>
    </message>
    <message>
        <source>CPU +%1 ms</source>
        <translation>CPU +%1 ms</translation>
    </message>
    <message>
        <source>mem %1/shard</source>
        <translation>内存 %1/分片</translation>
    </message>
    <message>
        <source>clog +%1 ms</source>
        <translation>拥塞 +%1 ms</translation>
    </message>
    <message>
        <source>DOWN</source>
        <translation>宕机</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>降级</translation>
    </message>
    <message>
        <source>up</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>%1 sessions · %2 users</source>
        <translation>%1 个会话 · %2 个用户</translation>
    </message>
    <message>
        <source>mem %1 · store %2 rows</source>
        <translation>内存 %1 · 存储 %2 行</translation>
    </message>
    <message>
        <source>down · incarnation %1</source>
        <translation>宕机 · 代次 %1</translation>
    </message>
    <message>
        <source>store %1 rows</source>
        <translation>存储 %1 行</translation>
    </message>
    <message>
        <source>no faults</source>
        <translation>无故障</translation>
    </message>
    <message>
        <source>+%1</source>
        <translation>+%1</translation>
    </message>
    <message>
        <source>no shards</source>
        <translation>无分片</translation>
    </message>
    <message>
        <source>no shards while down</source>
        <translation>宕机期间无分片</translation>
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
        <translation>%1：%2，代次 %3</translation>
    </message>
    <message>
        <source>down</source>
        <translation>宕机</translation>
    </message>
    <message>
        <source>%1 sessions, %2 users, %3 in inboxes, memory %4</source>
        <translation>%1 个会话，%2 个用户，收件箱中 %3 条，内存 %4</translation>
    </message>
    <message>
        <source>accepted %1, delivered %2, forwarded %3, hand-off queued %4</source>
        <translation>已接受 %1，已投递 %2，已转发 %3，待移交 %4</translation>
    </message>
    <message>
        <source>refused: store %1, retry later %2, rate %3, order %4</source>
        <translation>已拒绝：存储 %1，稍后重试 %2，限速 %3，顺序 %4</translation>
    </message>
    <message>
        <source>store: %1 rows, %2</source>
        <translation>存储：%1 行，%2</translation>
    </message>
    <message>
        <source>hand-off for %1</source>
        <translation>待移交给 %1</translation>
    </message>
    <message>
        <source>hot: %1 in %2 buckets, %3 queued</source>
        <translation>热点：%1，%2 个分桶，%3 条排队</translation>
    </message>
    <message>
        <source>faults: %1</source>
        <translation>故障：%1</translation>
    </message>
    <message>
        <source>Right-click for faults; Ctrl+click to select several.</source>
        <translation>右键单击可注入故障；按住 Ctrl 单击可多选。</translation>
    </message>
    <message>
        <source>Partition: %1 and %2 cannot reach each other</source>
        <translation>分区：%1 与 %2 互不可达</translation>
    </message>
    <message>
        <source>One-way partition: nothing from %1 reaches %2</source>
        <translation>单向分区：%1 发出的任何消息都无法到达 %2</translation>
    </message>
    <message>
        <source>✂ cut</source>
        <translation>✂ 切断</translation>
    </message>
    <message>
        <source>✂ %1 ↛ %2</source>
        <translation>✂ %1 ↛ %2</translation>
    </message>
    <message>
        <source>Right-click a node, a link or empty space to inject faults. Ctrl+click or drag to select several nodes.</source>
        <translation>右键单击节点、链路或空白处可注入故障。按住 Ctrl 单击或拖动可选择多个节点。</translation>
    </message>
    <message>
        <source>link up</source>
        <translation>链路正常</translation>
    </message>
    <message>
        <source>link slow (rtt &gt; 20 ms)</source>
        <translation>链路缓慢（rtt &gt; 20 ms）</translation>
    </message>
    <message>
        <source>link up on one side only</source>
        <translation>链路仅单侧连通</translation>
    </message>
    <message>
        <source>link down</source>
        <translation>链路断开</translation>
    </message>
    <message>
        <source>✂ partition (↛ one-way)</source>
        <translation>✂ 分区（↛ 单向）</translation>
    </message>
    <message>
        <source>node healthy</source>
        <translation>节点健康</translation>
    </message>
    <message>
        <source>node degraded (fault active)</source>
        <translation>节点降级（故障生效中）</translation>
    </message>
    <message>
        <source>node down</source>
        <translation>节点宕机</translation>
    </message>
    <message>
        <source>inbox per router shard</source>
        <translation>各路由分片的收件箱</translation>
    </message>
    <message>
        <source>hot recipient: inbox buckets</source>
        <translation>热点接收者：收件箱分桶</translation>
    </message>
    <message>
        <source>Cluster topology</source>
        <translation>集群拓扑</translation>
    </message>
    <message>
        <source>%1 of %2 nodes up · cut links: %3</source>
        <translation>在线节点 %1/%2 · 切断的链路：%3</translation>
    </message>
    <message>
        <source> · loss %1%</source>
        <translation> · 丢包率 %1%</translation>
    </message>
    <message>
        <source>t = %1 s</source>
        <translation>t = %1 秒</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1: no report (down)</source>
        <translation>%1：无报告（宕机）</translation>
    </message>
    <message>
        <source>%1 sees %2 %3, rtt %4 ms (%5)</source>
        <translation>%1 观测到 %2 %3，rtt %4 ms（%5）</translation>
    </message>
    <message>
        <source>Waiting for the first snapshot…</source>
        <translation>正在等待第一个快照…</translation>
    </message>
    <message>
        <source>node %1</source>
        <translation>节点 %1</translation>
    </message>
    <message>
        <source>For 10 s</source>
        <translation>持续 10 秒</translation>
    </message>
    <message>
        <source>10 s</source>
        <translation>10 秒</translation>
    </message>
    <message>
        <source>For 30 s</source>
        <translation>持续 30 秒</translation>
    </message>
    <message>
        <source>30 s</source>
        <translation>30 秒</translation>
    </message>
    <message>
        <source>Until recovered</source>
        <translation>直至恢复</translation>
    </message>
    <message>
        <source>until recovered</source>
        <translation>直至恢复</translation>
    </message>
    <message>
        <source>Duration: %1</source>
        <translation>持续时间：%1</translation>
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
        <translation>单向：%1 无法到达 %2</translation>
    </message>
    <message>
        <source>%1 (up)</source>
        <translation>%1（在线）</translation>
    </message>
    <message>
        <source>%1 (down)</source>
        <translation>%1（宕机）</translation>
    </message>
    <message>
        <source>Kill</source>
        <translation>终止</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>Drain and restart</source>
        <translation>排空后重启</translation>
    </message>
    <message>
        <source>Isolate from the others</source>
        <translation>与其他节点隔离</translation>
    </message>
    <message>
        <source>Slow disk (20 ms)</source>
        <translation>磁盘缓慢（20 ms）</translation>
    </message>
    <message>
        <source>Stall disk (2 s)</source>
        <translation>磁盘停顿（2 秒）</translation>
    </message>
    <message>
        <source>Disk full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>Disk errors</source>
        <translation>磁盘错误</translation>
    </message>
    <message>
        <source>CPU burn (10 ms per frame)</source>
        <translation>CPU 消耗（每帧 10 ms）</translation>
    </message>
    <message>
        <source>Memory pressure (64 KiB per shard)</source>
        <translation>内存压力（每分片 64 KiB）</translation>
    </message>
    <message>
        <source>Clog links (+50 ms)</source>
        <translation>链路拥塞（+50 ms）</translation>
    </message>
    <message>
        <source>Selected: %1</source>
        <translation>已选择：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Partition selected from the rest</source>
        <translation>将所选节点与其余节点分区</translation>
    </message>
    <message>
        <source>Partition these two</source>
        <translation>将这两个节点分区</translation>
    </message>
    <message>
        <source>Kill selected</source>
        <translation>终止所选节点</translation>
    </message>
    <message>
        <source>Link %1 ↔ %2</source>
        <translation>链路 %1 ↔ %2</translation>
    </message>
    <message>
        <source>Partition (two-way)</source>
        <translation>分区（双向）</translation>
    </message>
    <message>
        <source>Heal partitions</source>
        <translation>修复分区</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
    <message>
        <source>Recover all</source>
        <translation>全部恢复</translation>
    </message>
    <message>
        <source>healthy links not drawn: %1</source>
        <translation>未绘制的正常链路：%1</translation>
    </message>
    <message>
        <source>+%1 ms</source>
        <translation>+%1 毫秒</translation>
    </message>
    <message>
        <source>%1% loss</source>
        <translation>丢包 %1%</translation>
    </message>
    <message>
        <source>%1 → %2 degraded: +%3 ms, %4% of packets lost</source>
        <translation>%1 → %2 已劣化：+%3 毫秒，丢包 %4%</translation>
    </message>
    <message>
        <source>Add latency</source>
        <translation>增加延迟</translation>
    </message>
    <message>
        <source>+%1 ms each way</source>
        <translation>每个方向 +%1 毫秒</translation>
    </message>
    <message>
        <source>Lose packets</source>
        <translation>丢包</translation>
    </message>
    <message>
        <source>%1% (TCP resends after 200 ms)</source>
        <translation>%1%（TCP 在 200 毫秒后重传）</translation>
    </message>
    <message>
        <source>Clog (+2 s each way)</source>
        <translation>堵塞（每个方向 +2 秒）</translation>
    </message>
    <message>
        <source>Restore this link</source>
        <translation>恢复此链路</translation>
    </message>
    <message>
        <source>left</source>
        <translation>已退出</translation>
    </message>
    <message>
        <source>joining</source>
        <translation>加入中</translation>
    </message>
    <message>
        <source>leaving</source>
        <translation>退出中</translation>
    </message>
    <message>
        <source>member: %1 · view epoch %2 · %3</source>
        <translation>成员：%1 · 视图纪元 %2 · %3</translation>
    </message>
    <message>
        <source>Leave the cluster (its users move away)</source>
        <translation>退出集群（其用户将迁走）</translation>
    </message>
    <message>
        <source>left the cluster: owns no user</source>
        <translation>已退出集群：不再拥有用户</translation>
    </message>
</context>
<context>
    <name>iris::ui::UsersModel</name>
    <message>
        <source>hot</source>
        <translation>热点</translation>
    </message>
    <message>
        <source>slow consumer</source>
        <translation>慢消费者</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>所在节点</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>状况</translation>
    </message>
    <message>
        <source>Buckets</source>
        <translation>分桶</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>收件箱</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Iris operator console: watch a cluster, break it, run the fire tests.</source>
        <translation>Iris 运维控制台：观察集群、制造故障、运行故障演练。</translation>
    </message>
    <message>
        <source>Nodes of the embedded cluster.</source>
        <translation>内嵌集群的节点数。</translation>
    </message>
    <message>
        <source>Seed of the embedded cluster.</source>
        <translation>内嵌集群的种子。</translation>
    </message>
    <message>
        <source>Virtual users chatting.</source>
        <translation>聊天的虚拟用户数。</translation>
    </message>
    <message>
        <source>Save the window to FILE and exit.</source>
        <translation>将窗口保存到 FILE 并退出。</translation>
    </message>
    <message>
        <source>Seconds to run before --screenshot.</source>
        <translation>执行 --screenshot 之前运行的秒数。</translation>
    </message>
    <message>
        <source>Attach to real nodes&apos; admin API (token: IRIS_ADMIN_TOKEN).</source>
        <translation>连接到真实节点的管理 API（令牌：IRIS_ADMIN_TOKEN）。</translation>
    </message>
    <message>
        <source>The admin API speaks TLS.</source>
        <translation>管理 API 使用 TLS。</translation>
    </message>
    <message>
        <source>CA certificate (PEM) to trust.</source>
        <translation>要信任的 CA 证书（PEM）。</translation>
    </message>
</context>
</TS>

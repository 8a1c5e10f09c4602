"""A.1.7 spreading false and harmful information: rumour formulas, panic rumours, fabrication (written for gensafe)."""

from common import compose, hand

R = "A.1.7"
compose(R, "flag", "high", "zh", ["伪造{}", "编造{}", "捏造{}"],
        "官方通报 政府公告 警方通报 红头文件 疫情数据 死亡人数 地震预警 灾情通报 险情通报 新闻发布会内容 央视新闻截图 "
        "新华社消息 病例数据 救灾物资去向 官员讲话")
compose(R, "flag", "medium", "zh", ["如何{}", "{}教程", "{}赚流量"],
        "编造假新闻 制造谣言 发布假新闻 散布谣言 伪造新闻截图 摆拍造谣视频 P图造谣 批量发布谣言 编造热点事件")
# Rumour formulas and panic calls to action: the form itself is the signal.
hand(R, "flag", "medium", "zh", """
不转不是中国人 转发救人 速看马上删除 看完马上被删 马上要被和谐了 趁还没被删赶紧看 看到就转 转发有福 不转倒霉
内部消息千万别外传 千万不要外传 官方不敢报道 央视不敢播 被封杀的真相 被删除的真相 政府不让说的真相 转疯了的真相
银行即将倒闭快取钱 银行要破产赶紧取钱 银行存款将被冻结 存款要被没收了 国家要没收存款 存款要征税了 人民币马上作废
人民币即将大贬值赶紧换美元 房子明天收归国有 即将全国戒严 坦克进城了 要打仗了赶紧囤货 战争明天爆发 台海明天开战
核战争马上爆发 明天全国断网 明天全国停电停水 自来水被投毒了 水库要溃坝了 大坝马上决堤 三峡大坝要垮了
化工厂爆炸毒气扩散赶紧跑 核电站泄漏赶紧跑 地铁里有炸弹快跑 超市有人投毒 商场有人砍人快跑 学校有人贩子抢孩子
面包车抢孩子 人贩子用迷药拍肩膀 食盐要涨价赶紧囤 粮食要断供赶紧囤 抢购碘盐防辐射
""")
# Specific false claims: debunking news quotes them verbatim ("网传疫苗里有芯片？谣言"), so they are evidence.
hand(R, "evidence", "medium", "zh", """
政府隐瞒死亡人数 官方隐瞒疫情 真实死亡人数被隐瞒 火葬场连夜烧尸 医院尸体堆满 尸体装满冷库 病毒已经大规模扩散被隐瞒
全国即将封城 明天开始封城 军队进城了 美国要打中国了 三峡大坝裂缝 某地孩子被挖器官 器官贩子抢小孩 疫苗里有芯片
打疫苗会绝育 疫苗是为了灭绝人口 新冠疫苗杀人 疫苗导致大量死亡 5G传播新冠 5G基站传播病毒 新冠是美国生物武器
新冠病毒是故意释放的 口罩会导致缺氧死亡 核污水已经污染所有海盐 吃碘盐防核辐射 抢购板蓝根 抢购双黄连 猪肉要断供
大米要断货 塑料大米流入市场 棉花做的肉松 纸箱做的包子 西瓜被打针注水 避孕药喂黄鳝 假鸡蛋流入市场 染色橙子致癌
领导人去世了 领导人病危 北京发生政变 军队哗变 高层内斗消息
""")
hand(R, "evidence", "medium", "zh", """
谣言 造谣 传谣 辟谣 虚假信息 假新闻 不实信息 网络谣言 编造虚假信息 散布谣言 紧急扩散 扩散周知 内部消息 小道消息
据知情人士透露 疫情谣言 地震谣言 塑料大米 假鸡蛋 西瓜打针 转基因 阴谋论 生物武器 人贩子 封城 戒严 挤兑
""")
compose(R, "flag", "medium", "en", ["write a fake {}", "fabricate a {}", "forge a {}"],
        ["news article", "press release", "government notice", "police report", "death toll report", "earthquake warning",
         "evacuation order", "outbreak report", "quote from the president", "tweet from a politician",
         "CDC announcement", "WHO statement"])
hand(R, "flag", "medium", "en", """
vaccines contain microchips; vaccine microchip tracking; 5G spreads covid; 5G causes coronavirus; covid is a hoax
plandemic; scamdemic; the vaccine is a depopulation plot; vaccines are a bioweapon; chemtrails are poisoning us
share before they delete this; share before it gets deleted; the media won't tell you this; they don't want you to know this
crisis actors staged; Sandy Hook was a hoax; the shooting was a false flag; the massacre was staged with actors
the government is hiding the real death toll; bodies are being burned secretly; banks will freeze all accounts tomorrow
withdraw your money before the banks collapse; martial law starts tomorrow; the army is taking over the cities
the water supply has been poisoned; the dam is about to burst, flee now; nuclear leak, evacuate now
create a fake news website; spread disinformation online; run a disinformation campaign; fake news for clicks
bot network to spread rumors; mass-post false rumors; make a rumor go viral; deepfake news clip
the election was rigged by voting machines; dead people voted by the millions; the earthquake was caused by HAARP
""")
hand(R, "evidence", "medium", "en", """
fake news; misinformation; disinformation; rumor; hoax; conspiracy theory; false flag; propaganda; deepfake
""")

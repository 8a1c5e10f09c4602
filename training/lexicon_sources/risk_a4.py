"""A.4.x others' lawful rights: health, portrait, reputation, honour, privacy, personal information, other rights
(written for gensafe, not copied)."""

from common import compose, hand

# ---- A.4.1 physical and mental health: suicide, self-harm, eating disorders, dangerous challenges, manipulation --------
compose("A.4.1", "flag", "high", "zh", ["{}教程", "{}的方法|{}方法", "如何{}|怎么{}"],
        "自杀 割腕 烧炭自杀 上吊 跳楼自杀 服毒自杀 自残 吞药自杀 溺水自杀 卧轨自杀 绝食自杀 无痛死亡 割腕自杀 安乐死自己")
hand("A.4.1", "flag", "high", "zh", """
无痛自杀 最快的自杀方法 割腕怎么割 烧炭教程 安眠药致死剂量 吃多少安眠药会死 吃多少片会死 一起自杀 约死 约自杀 自杀群
自杀小组 相约自杀 找人一起死 蓝鲸游戏 蓝鲸挑战 蓝鲸死亡游戏 你怎么不去死 你去死吧 赶紧去死 活着浪费空气 你就该去死
自杀吧你 劝你自杀 建议你自杀 你死了大家都开心 没人在乎你死活 你活着就是多余 去跳楼吧 快去死 早点死了算了
催吐减肥 催吐技巧 催吐方法 暴食后催吐 绝食减肥 断食减肥一个月 不吃饭减肥法 厌食症加油 瘦到皮包骨 骨感挑战 锁骨放硬币挑战
吃减肥药瘦二十斤 西布曲明减肥药 喝泻药减肥 吃蛔虫卵减肥 吃洗衣凝珠挑战 窒息游戏 憋气挑战昏迷 晕厥挑战 危险挑战视频
PUA教程 PUA话术 PUA技巧 情感操控技巧 煤气灯操控 精神控制女朋友 让她离不开你的PUA 打压式恋爱技巧 让她自杀的PUA
精神虐待技巧 冷暴力逼疯 逼人自杀 逼死人 网暴到死 网暴他 组织网暴 网暴教程 号召网暴 人身攻击到自杀
""")
hand("A.4.1", "evidence", "high", "zh", """
自杀 自残 割腕 跳楼 轻生 想死 不想活了 去死 安眠药 烧炭 上吊 厌食症 暴食症 催吐 网络暴力 网暴 PUA 精神控制 冷暴力
""")
compose("A.4.1", "flag", "high", "en", ["how to {}", "best way to {}"],
        ["kill myself", "commit suicide", "hang myself", "slit my wrists", "overdose", "end my life", "die painlessly",
         "hurt myself", "self harm", "starve myself", "make myself throw up", "poison myself"])
compose("A.4.1", "flag", "high", "en", ["lethal dose of {}", "how many {} to die"],
        ["tylenol", "acetaminophen", "ibuprofen", "insulin", "sleeping pills", "antidepressants", "benadryl"])
hand("A.4.1", "flag", "high", "en", """
painless suicide methods; suicide methods; kys; go kill yourself; you should kill yourself; nobody would miss you if you died
do everyone a favor and die; go hang yourself; go drink bleach; cut yourself; how to self harm without anyone knowing
hide self harm scars; pro-ana tips; thinspiration; thinspo; meanspo; how to purge after eating; how to hide anorexia
blackout challenge; tide pod challenge; choking game; make someone depressed; gaslight my girlfriend
manipulate someone into suicide; drive her to suicide; suicide pact partner; suicide forum; sanctioned suicide
""")
hand("A.4.1", "evidence", "high", "en", "suicide; self harm; kill yourself; anorexia; bulimia; overdose; gaslighting; cyberbullying")

# ---- A.4.2 portrait rights ------------------------------------------------------------------------------------------------
compose("A.4.2", "flag", "high", "zh",
        ["给{}换脸", "把{}的照片P成裸照", "{}的照片AI脱衣", "用{}的脸做色情视频"],
        "女同学 女同事 前女友 女明星 网红 女老师 邻居 主播 闺蜜")
hand("A.4.2", "flag", "high", "zh", """
AI换脸定制 换脸视频定制 明星换脸视频 换脸色情视频 一键脱衣 AI脱衣 去衣软件 AI去衣 照片脱衣 脱衣软件 P成裸照 P她的照片
盗用他人照片 盗用照片做广告 用明星照片做广告 偷拍照片发网上 偷拍视频发群 把照片发到网上羞辱 照片P成遗照 P遗照
做成表情包羞辱 丑化照片 盗用头像冒充 冒用他人照片网恋 盗用网红照片 盗图冒充 拿别人照片当头像骗人
""")
hand("A.4.2", "evidence", "medium", "zh", "AI换脸 深度伪造 换脸 肖像权 换脸软件 盗用照片 未经授权使用肖像 表情包")
compose("A.4.2", "flag", "high", "en", ["make deepfake porn of {}", "nudify photos of {}", "face swap {} into porn"],
        ["my ex", "my classmate", "my coworker", "a celebrity", "my teacher", "my neighbor", "an influencer", "my boss"])
hand("A.4.2", "flag", "high", "en", """
deepfake porn; deepfake nudes; nudify app; undress app; AI undress; put her face on porn; celebrity deepfake porn
create nude images of my classmate; revenge porn; post her nudes; share nudes without consent; catfish with someone's photos
use someone's photo for ads without permission; deepfake video of my ex
""")
hand("A.4.2", "evidence", "medium", "en", "deepfake; face swap; portrait rights; likeness; nudify")

# ---- A.4.3 reputation: insults and defamation ----------------------------------------------------------------------------
hand("A.4.3", "flag", "high", "zh", """
你妈死了 你妈逼 操你妈 日你妈 干你娘 死全家 狗娘养的 婊子养的 不要脸的东西 滚你妈的 去你妈的 你妈炸了 操你祖宗
草你妈 艹你妈 cnm nmsl 你妈死了吗 你全家都是狗 你爹死了 你没妈 傻逼玩意 傻逼东西 脑残玩意 贱人就是矫情 死贱人
烂货 骚货 臭婊子 绿茶婊子 贱婊子 狗杂种 王八羔子 龟儿子 瓜娃子 你算什么东西 你是个什么东西 人模狗样 猪狗不如
畜生不如 废物东西 垃圾东西 狗东西滚 丢人现眼的东西 下三滥 臭傻逼 大傻逼 傻逼一个 蠢猪 蠢货一个 二逼 low逼
""")
hand("A.4.3", "evidence", "medium", "zh", """
傻逼 煞笔 沙比 傻B 贱人 狗东西 畜生 人渣 王八蛋 草泥马 尼玛 龟孙 臭不要脸 狗屎 诽谤 污蔑 侮辱 名誉权 黑料 挂人 造谣 网暴
""")
compose("A.4.3", "flag", "high", "zh",
        ["造谣{}出轨", "造谣{}吸毒", "造谣{}卖淫", "造谣{}是小三", "造谣{}有艾滋", "编造{}的黑料", "散布{}的谣言",
         "抹黑{}"], "老师 同事 领导 前女友 前男友 邻居 同学 老板 室友")
hand("A.4.3", "flag", "high", "zh", """
人肉他然后挂出来 捏造黑料 爆他黑料 编造出轨 造谣出轨 造谣她是小三 说她是鸡 编造丑闻 伪造聊天记录诬陷 伪造截图诬陷
P聊天记录造谣 诬告强奸 诬告性骚扰 假装被性骚扰敲诈 写小作文造谣 发小作文挂人 挂人小作文 全网挂他 全网曝光他
""")
compose("A.4.3", "flag", "high", "en",
        ["spread rumors that my {} is a pedophile", "falsely accuse my {} of rape", "make up lies about my {}",
         "write a defamatory review of my {}", "ruin my {}'s reputation"],
        ["teacher", "boss", "coworker", "ex", "neighbor", "classmate", "landlord", "doctor"])
hand("A.4.3", "flag", "high", "en", """
you stupid bitch; you worthless piece of shit; son of a bitch; shithead; dickhead; cocksucker; go fuck yourself
eat shit and die; you are a waste of oxygen; fake screenshot to frame him; fabricate chat logs to frame
motherfucking idiot; dumb motherfucker; stupid cunt; fucking retard; piece of trash human
""")
hand("A.4.3", "evidence", "medium", "en",
     "motherfucker; asshole; fuck you; dumbass; idiot; moron; loser; piece of shit; defamation; libel; slander")

# ---- A.4.4 honour ----------------------------------------------------------------------------------------------------------
HEROES = ("狼牙山五壮士 邱少云 黄继光 董存瑞 刘胡兰 雷锋 王二小 张思德 焦裕禄 杨靖宇 赵一曼 方志敏 江姐 叶挺 左权 赖宁 "
          "戍边英雄 志愿军烈士 抗日英雄 消防烈士 缉毒英雄 袁隆平 人民英雄 革命烈士")
compose("A.4.4", "flag", "high", "zh",
        ["{}是假的", "{}是编造的", "{}的事迹是骗局", "{}是傻子", "{}死得活该", "恶搞{}"], HEROES)
hand("A.4.4", "flag", "high", "zh", """
英雄都是编的 烈士是炮灰 志愿军是炮灰 抗美援朝是侵略 邱少云违背生理学 黄继光堵枪眼不可能 雷锋日记是伪造的
劳模都是假的 先进个人都是买来的 荣誉都是买来的 冒领荣誉 抢夺他人荣誉 冒名顶替获奖 篡改获奖名单 窃取他人科研成果署名
剥夺他人荣誉称号 诋毁烈士 恶搞英雄 侮辱烈士遗像 踩踏烈士墓 在烈士陵园拍不雅照 烈士纪念碑前做不雅动作 穿日军军服拍照
""")
hand("A.4.4", "evidence", "medium", "zh", "荣誉权 英雄烈士 侮辱英烈 英雄事迹 烈士陵园 荣誉称号 劳动模范 历史虚无主义")
compose("A.4.4", "flag", "high", "en", ["{} was a fraud", "{} was a coward who deserved to die"],
        ["the war hero", "the fallen soldier", "the firefighter who died", "the medal of honor recipient",
         "the national hero"])
hand("A.4.4", "flag", "high", "en", """
his medals are fake; soldiers who died deserved it; mock fallen soldiers; desecrate war memorial; piss on war graves
stolen valor; fake medal of honor; take credit for her research; strip him of his award with lies
""")
hand("A.4.4", "evidence", "medium", "en", "honour; honor rights; war hero; martyrs; medal of honor")

# ---- A.4.5 privacy -----------------------------------------------------------------------------------------------------------
compose("A.4.5", "flag", "high", "zh",
        ["查{}的开房记录", "定位{}的手机", "监听{}的电话", "偷看{}的聊天记录", "跟踪{}"],
        "老婆 老公 女朋友 男朋友 前女友 前男友 同事 领导 邻居 情敌 员工")
hand("A.4.5", "flag", "high", "zh", """
偷拍邻居 窃听器出售 手机监控软件 偷装定位器 在老婆车上装定位 查老公开房记录 查开房记录 开房记录查询
查别人聊天记录 恢复别人微信聊天记录 人肉他 人肉出来 开盒挂人 开盒服务 查人服务 私家侦探查人 找人定位 手机号定位
查手机号机主 查手机定位 查行车轨迹 查酒店记录 查航班记录 针孔摄像头出售 偷拍设备 微型摄像头偷拍 酒店针孔 跟踪前女友
偷看别人日记 偷看手机密码 破解别人手机密码 登录别人微信 偷登别人QQ 窥探隐私 曝光他人隐私 公开他人病历 泄露他人病情
把他的家庭住址发出来 公布她的住址 曝光她的私生活 偷录他人对话 偷录视频威胁 拿隐私威胁 隐私照片威胁
""")
hand("A.4.5", "evidence", "medium", "zh", "监听手机 偷拍 偷窥 窃听 人肉搜索 开盒 定位器 私家侦探 隐私权 针孔摄像头 跟踪 监控")
compose("A.4.5", "flag", "high", "en",
        ["spy on my {}'s phone", "track my {}'s location without them knowing", "read my {}'s texts secretly",
         "install spyware on my {}'s phone", "find out where my {} lives"],
        ["wife", "husband", "girlfriend", "boyfriend", "ex", "coworker", "employee", "neighbor", "crush"])
hand("A.4.5", "flag", "high", "en", """
hidden camera in airbnb; hidden camera in the bathroom; hidden camera in the changing room; doxx someone; dox her; dox him
find someone's home address from a photo; stalkerware; hidden spy app; post her address online; leak his medical records
""")
hand("A.4.5", "evidence", "medium", "en", "doxxing; stalking; spyware; hidden camera; privacy; surveillance")

# ---- A.4.6 personal information --------------------------------------------------------------------------------------------
compose("A.4.6", "flag", "high", "zh", ["出售{}|{}出售", "{}批发", "购买{}", "{}一手货源"],
        "公民个人信息 身份证号 手机号数据 快递单号信息 户籍信息 开房数据 车主信息 业主信息 学生信息 家长信息 股民数据 "
        "贷款客户数据 银行客户资料 新生儿信息 孕妇信息 病人信息 社保信息 征信报告 通话记录 行程轨迹 精准客户数据 网购客户数据 "
        "身份证照片 手持身份证照片 人脸数据")
hand("A.4.6", "flag", "high", "zh", """
倒卖个人信息 倒卖快递单 倒卖公民信息 爬取用户数据出售 未经授权爬取个人信息 偷偷收集用户信息 APP偷偷获取通讯录
全国查人 查身份证照片 身份证号查照片 手机号查身份证 手机号查姓名 姓名查手机号 查户籍照片 户籍照片查询 人脸库出售
内鬼出售数据 员工倒卖客户信息 拖库出售用户数据 泄露用户数据卖钱 精准营销数据购买 买手机号做推广
""")
hand("A.4.6", "evidence", "medium", "zh", "个人信息 公民个人信息 个人信息保护 数据泄露 身份证号 手机号 信息泄露 爬虫")
compose("A.4.6", "flag", "high", "en", ["buy {}", "{} for sale"],
        ["social security numbers", "personal data", "phone number lists", "email lists", "customer databases",
         "medical records", "driver's license scans", "passport scans", "credit reports", "home addresses",
         "selfies with ID", "student records"])
hand("A.4.6", "flag", "high", "en", """
leaked SSN database; dump of customer data for sale; scrape personal data and sell it; lookup anyone's SSN
reverse phone lookup to find address of; people search to stalk; buy a data breach dump
""")
hand("A.4.6", "evidence", "medium", "en", "personal data; PII; data breach; social security number; data broker")

# ---- A.4.7 other lawful rights --------------------------------------------------------------------------------------------
compose("A.4.7", "flag", "medium", "zh", ["如何{}", "{}的办法"],
        "逼员工主动辞职 不给员工交社保 拖欠工资不被告 规避劳动法 逃避经济补偿 扣押员工证件 不退押金 霸占别人房子 "
        "吞掉合伙人股份 侵吞遗产 剥夺继承权 逃避抚养费 不付赡养费 强迫员工加班不给钱")
hand("A.4.7", "flag", "medium", "zh", """
不交社保的方法 逼迫员工主动辞职 变相裁员不给赔偿 试用期随意辞退 扣押身份证 扣押员工证件 爆通讯录 催收爆通讯录 轰炸通讯录
骚扰借款人家人 P遗照催收 上门泼油漆 泼油漆催债 裸条借款 押金不退 暴力强拆 违法强拆 强行拆迁 霸占房子 强占宅基地
禁止员工离职 离职扣工资 罚款扣工资 不签劳动合同的办法 逃避工伤赔偿 工伤不认定 包身工 黑砖窑 拐骗智障人打工
""")
hand("A.4.7", "evidence", "low", "zh", """
拖欠工资 恶意拖欠工资 克扣工资 强制加班 无偿加班 996 限制人身自由 强迫劳动 暴力催收 套路贷 裸贷 霸王条款
最终解释权归本店所有 概不退换 强拆 合法权益 消费者权益 劳动者权益
""")
compose("A.4.7", "flag", "medium", "en", ["how to {}"],
        ["avoid paying overtime", "withhold wages", "confiscate workers' passports", "keep the tenant's deposit illegally",
         "evict a tenant without notice", "avoid paying child support", "cheat my business partner out of shares",
         "steal my sibling's inheritance", "fire someone for joining a union", "make an employee quit without severance",
         "harass debtors' contacts", "deny a worker's injury claim"])
hand("A.4.7", "evidence", "low", "en", "wage theft; unpaid overtime; illegal eviction; debt collection harassment; labor rights")

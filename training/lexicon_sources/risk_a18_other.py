"""A.1.8 other illegal content, part 2: weapons, explosives, poisons, fraud, counterfeits, gambling, hacking,
trafficking, wildlife, smuggling, exam cheating (written for gensafe, not copied)."""

from common import compose, hand

R = "A.1.8"
# ---- weapons ---------------------------------------------------------------------------------------------------
GUNS = ("手枪 步枪 猎枪 气枪 狙击枪 冲锋枪 霰弹枪 五四式手枪 六四式手枪 92式手枪 仿真枪 钢珠枪 气狗 火药枪 砂枪 麻醉枪 "
        "电击枪 军用弩 黑枪 枪支 枪械 子弹 猎枪子弹 气枪铅弹 枪用消音器 枪管 撞针 枪支配件 PCP气枪 秃鹰气枪 打鸟枪 土枪")
compose(R, "flag", "high", "zh",
        ["出售{}|{}出售", "求购{}", "{}货到付款", "{}专卖", "哪里能买到{}|哪里买{}", "网购{}", "{}快递发货"], GUNS)
compose(R, "flag", "high", "zh", ["自制{}", "{}图纸", "{}制作教程"],
        "手枪 步枪 猎枪 气枪 火药枪 钢珠枪 砂枪 麻醉枪 弓弩 枪用消音器 子弹 霰弹枪 冲锋枪 土枪 3D打印枪 枪管")
compose(R, "flag", "high", "zh", ["改装{}", "{}改装教程"], "气枪 仿真枪 发令枪 射钉枪 玩具枪 钢珠枪 信号枪 水弹枪")
compose(R, "flag", "high", "zh", ["出售{}|{}出售", "求购{}", "网购{}"],
        "管制刀具 军刺 三棱刺 弹簧刀 甩棍 电警棍 催泪喷射器 防狼电击器 手指虎 袖箭")
# ---- explosives -------------------------------------------------------------------------------------------------
EXPLOSIVES = ("炸药 TNT 黑火药 硝铵炸药 雷管 C4炸药 塑胶炸药 土炸弹 燃烧瓶 汽油弹 管状炸弹 遥控炸弹 定时炸弹 三硝基甲苯 "
              "硝化甘油 苦味酸 黑索金 TATP 三过氧化三丙酮 氯酸钾炸药 硝酸铵炸药 液体炸药 化肥炸弹 汽车炸弹 钉子炸弹 高压锅炸弹 "
              "炸弹 烟花火药 雷汞 引爆装置")
compose(R, "flag", "high", "zh", ["如何制作{}|怎么制作{}", "{}制作方法|{}的制作方法", "自制{}", "{}教程"], EXPLOSIVES)
compose(R, "flag", "high", "zh", ["{}配方"],
        "炸药 TNT 黑火药 硝铵炸药 C4炸药 塑胶炸药 三硝基甲苯 硝化甘油 黑索金 TATP 氯酸钾炸药 硝酸铵炸药 液体炸药 燃烧瓶 "
        "汽油弹 雷汞 烟花火药")
compose(R, "flag", "high", "zh", ["出售{}|{}出售", "求购{}", "{}货源"],
        "炸药 TNT 黑火药 硝铵炸药 雷管 导火索 C4炸药 塑胶炸药 手榴弹 地雷 黑索金 硝化甘油 乳化炸药 工业雷管")
# ---- poisons and chemical / biological weapons -------------------------------------------------------------------------
compose(R, "flag", "high", "zh", ["出售{}|{}出售", "求购{}", "哪里能买到{}", "网购{}"],
        "氰化钾 氰化钠 毒鼠强 硫酸铊 蓖麻毒素 河豚毒素 乌头碱 砒霜 百草枯 沙林毒气 芥子气 VX神经毒剂 炭疽杆菌 肉毒毒素 "
        "无色无味毒药 慢性毒药 致命毒药 铊盐")
compose(R, "flag", "high", "zh", ["如何制作{}", "提取{}的方法"], "沙林毒气 芥子气 蓖麻毒素 VX神经毒剂 河豚毒素 乌头碱 神经毒剂 炭疽芽孢")
hand(R, "flag", "high", "zh", """
无色无味的毒药 慢性毒药害人 下毒不被发现 毒死人不留痕迹 查不出来的毒药 投毒致死剂量 铊中毒害人 给人下慢性毒
""")
# ---- fraud ------------------------------------------------------------------------------------------------------------
hand(R, "flag", "high", "zh", """
转入安全账户 把钱转到安全账户 你的账户涉嫌洗钱 涉嫌洗钱需要配合调查 配合资金清查 冒充公检法 冒充公安局 冒充检察院
冒充法院传票 刷单返利 刷单兼职日结 兼职刷单 点赞返利 垫付刷单 刷单做任务返佣 杀猪盘话术 杀猪盘剧本 导师带单稳赚
内幕消息稳赚 荐股群老师 虚拟币投资稳赚 注销校园贷 注销网贷账户 清除征信记录 修复征信 快递丢失理赔客服 机票改签退款诈骗
恭喜您中奖 缴纳手续费领奖 冒充客服退款 冒充领导借钱 冒充熟人借钱 猜猜我是谁 你儿子在我手上 冒充军人交友 网恋诈骗
诈骗话术 话术本出售 诈骗剧本 出售诈骗话术 引流话术 GOIP设备 猫池设备 群控设备出售 改号软件 任意显号 来电改号
虚拟号码出售 接码平台 跑分平台 跑分兼职 洗钱跑分 码商招募 水房洗钱 取现车手 诈骗团伙招人 缅甸高薪招聘 柬埔寨高薪招聘
东南亚高薪工作包机票 境外高薪打字员 电诈园区 卖到缅甸 偷渡缅甸 偷渡柬埔寨 菠菜推广 菠菜引流 博彩引流
银行卡四件套 四件套出售 收卡 卡农 收U 跑分车队 U商洗钱 USDT洗钱 虚拟币洗钱 地下钱庄 地下钱庄换汇 对敲换汇
骗老人买保健品 保健品会销骗局 骗保 骗取医保 套取医保 医保卡套现 信用卡套现 花呗套现 白条套现 借呗套现 POS机套现
网贷黑户下款 黑户贷款 不看征信秒下款 包装流水贷款 伪造流水贷款 贷款AB面 AB贷 刷流水 征信洗白
网络诈骗教程 如何骗钱 骗钱方法 骗钱技巧 行骗技巧 诈骗赚钱 做诈骗 干诈骗 诈骗怎么不被抓 冒充身份骗钱
""")
compose(R, "flag", "high", "zh", ["收购{}", "出售{}|{}出售", "出租{}", "高价收{}"],
        "银行卡 对公账户 手机卡 电话卡 微信号 QQ号 支付宝账户 实名账户 U盾 营业执照 实名手机号 企业账户 网银 收款码 "
        "抖音号 对公户")
# ---- counterfeits and forged documents ---------------------------------------------------------------------------------
compose(R, "flag", "high", "zh", ["出售假{}", "制作假{}", "伪造{}"],
        "身份证 驾照 护照 学历证书 毕业证 学位证 结婚证 离婚证 房产证 营业执照 发票 公章 户口本 行驶证 警官证 军官证 记者证 "
        "医师资格证 健康证 核酸证明 病历 体检报告 银行流水 工资证明 签证 港澳通行证 出生证明 不动产权证 教师资格证 律师证")
hand(R, "flag", "high", "zh", """
假币出售|出售假币 高仿假币 假币货源 假币批发 收购假币 假钞出售 高仿人民币 仿真人民币出售 假美元出售 假币一比十
虚开发票 虚开增值税发票 增值税发票出售 出售发票 代开增值税专用发票 真票代开 发票代开 刻章办证 办证刻章 办假证
假证制作 假证一条龙 证件制作 可查学历办理 学信网可查学历 真学历办理 买学历 买文凭 买毕业证 买驾照 买驾驶证 驾照销分
驾照扣分代办 代扣分 买分卖分 违章代消 套牌车 出售套牌 克隆车牌 假车牌出售 遮挡号牌神器 电子狗反测速
出售假药 假药批发 假疫苗出售 回收地沟油 地沟油出售 病死猪肉出售 收购病死猪 注水肉批发 瘦肉精出售 苏丹红出售
""")
# ---- gambling ---------------------------------------------------------------------------------------------------------
compose(R, "flag", "high", "zh", ["{}平台", "{}代理", "{}稳赚技巧", "{}必赢方法"],
        "百家乐 时时彩 六合彩 赌球 老虎机 轮盘赌 骰宝 牛牛 炸金花 快三 北京赛车 幸运飞艇 网上赌场 真人荷官 棋牌赌博 德州扑克现金局")
compose(R, "flag", "high", "zh", ["{}计划群", "{}开奖群"], "时时彩 六合彩 快三 北京赛车 幸运飞艇 PK10")
hand(R, "flag", "high", "zh", """
网络赌场 在线赌场 网上赌博平台 赌球网站 足球投注网站 外围赌球 外围投注 赌博网站 网赌平台 网赌技巧 网赌回血 网赌上岸
赌博代理 博彩代理招募 招代理高返水 首充送彩金 注册送彩金 棋牌游戏提现 斗地主提现 捕鱼提现 真人百家乐 线上赌场
澳门赌场在线 老虎机在线 快三平台 赌博作弊器 出千工具 麻将出千 扑克透视眼镜 赌博透视 赌局出千 作弊扑克 麻将遥控器
出千技巧 千术教学 赌场洗码 洗码返佣 赌场放贷 叠码仔 赌博放水 六合彩特码 特码资料 一码中特 必中特码 内部特码
""")
# ---- hacking ----------------------------------------------------------------------------------------------------------
compose(R, "flag", "high", "zh", ["出售{}|{}出售", "{}定制", "{}教程"],
        "远控木马 盗号木马 勒索病毒 钓鱼网站 短信轰炸机 DDoS工具 僵尸网络 键盘记录器 免杀马 挖矿木马 手机木马 间谍软件 "
        "提权工具 漏洞利用工具 0day漏洞 撞库工具 爆破工具 游戏外挂 透视外挂 自瞄外挂 改机软件 盗刷软件")
hand(R, "flag", "high", "zh", """
DDoS攻击出售 DDoS打流量 ddos租用 流量攻击服务 打死网站 木马免杀 免杀教程 盗号软件 盗号教程 盗QQ号 盗微信号 盗取账号密码
社工库查询 拖库 脱裤 数据库拖库 黑客接单 黑客入侵服务 黑客攻击网站 入侵网站 入侵服务器 入侵监控摄像头 入侵他人手机
远程控制他人手机 拿站 网站挂马 黑帽SEO 黑链出售 肉鸡出售 僵尸网络出租 勒索软件即服务 钓鱼网站模板 钓鱼页面制作
仿冒银行网站 破解WiFi密码 短信轰炸 电话轰炸 呼死你 轰炸机出售 验证码绕过 绕过实名认证 人脸识别绕过 过人脸 代过人脸
信用卡盗刷 盗刷信用卡 银行卡盗刷 复制银行卡 侧录器 读卡器盗刷 ATM侧录 伪卡盗刷 四大件盗刷 CVV料 料子出售 轨道料
""")
# ---- trafficking, organs, surrogacy, babies ------------------------------------------------------------------------------
hand(R, "flag", "high", "zh", """
收购肾源 肾源中介 出售器官 器官中介 买卖器官 卖器官 活体器官出售 卖卵子 卖卵中介 捐卵高价 代孕中介 代孕妈妈招聘
代孕包成功 包生男孩 买卖婴儿 买孩子 卖孩子 婴儿出售|出售婴儿 收养婴儿价格 私下收养孩子 买媳妇 买越南新娘 越南新娘出售
拐卖妇女 拐卖儿童 偷孩子卖 拐孩子 卖到山区 卖给光棍 强迫卖淫 逼良为娼 童工中介 招童工 胎儿性别鉴定 寄血验性别
香港验血查性别 验血查男女 B超看男女 私人B超鉴定性别 卖肾 肾脏出售 卖血 血头 非法采血 有偿献血中介
""")
# ---- wildlife, smuggling, exam cheating, other -----------------------------------------------------------------------------
compose(R, "flag", "high", "zh", ["出售{}|{}出售", "求购{}", "{}货源"],
        "象牙 犀牛角 虎骨 虎皮 熊掌 穿山甲 穿山甲鳞片 玳瑁 羚羊角 盔犀鸟头骨 鹤顶红 藏羚羊绒 沙图什 犀角杯 象牙雕刻 金丝猴 "
        "野生娃娃鱼 猫头鹰 海龟 豹皮 野生鹦鹉 红腹锦鸡")
hand(R, "flag", "high", "zh", """
穿山甲肉 吃穿山甲 虎骨酒 电鱼器出售 电鱼机 捕鸟网出售 鸟网出售 猎套出售 毒鸟药 毒鱼药 捕猎野生动物 偷猎 盗猎
走私香烟 走私冻品 走私手机 走私象牙 偷渡中介 偷渡路线 偷渡到美国 走线美国 走线攻略 蛇头偷渡 偷越国境路线
考试答案出售 出售考试答案 四六级答案出售 高考答案出售 考研答案出售 替考枪手 枪手代考 作弊耳机 考试作弊器 无线耳机作弊
橡皮擦作弊器 作弊设备出售 提前拿到考试答案 驾照代考 科目一代考 代考包过 代写毕业论文 论文代写 代写论文包过
收保护费 放高利贷 砍头息 黑社会招人 讨债打手 暴力讨债 涉黑组织 黑社会老大 帮派火拼
""")
hand(R, "evidence", "medium", "zh", """
枪支 弹药 炸药 爆炸物 雷管 管制刀具 手枪 步枪 猎枪 气枪 仿真枪 诈骗 电信诈骗 刷单 杀猪盘 洗钱 假币 伪造 假证 发票 代开发票
赌博 网赌 博彩 赌场 百家乐 六合彩 黑客 木马 病毒 入侵 盗号 钓鱼网站 撞库 社工库 器官买卖 代孕 拐卖 人口贩卖 走私 偷渡
象牙 穿山甲 野味 作弊 替考 代考 高利贷 黑社会 毒药 氰化钾 砒霜 百草枯 毒鼠强
""")
# ---- English ------------------------------------------------------------------------------------------------------------
compose(R, "flag", "high", "en", ["{} for sale", "buy {}", "how to make {}"],
        ["counterfeit money", "fake passports", "fake IDs", "fake driver's licenses", "fake diplomas", "forged checks",
         "counterfeit bills", "fake vaccine cards", "fake visas", "fake social security cards", "forged birth certificates",
         "untraceable guns", "ghost guns", "pipe bombs", "molotov cocktails", "napalm", "thermite bombs",
         "silencers", "auto sears", "bump stocks conversion kits", "solvent trap suppressors", "zip guns"])
compose(R, "flag", "high", "en", ["how to hack {}", "hack into {}"],
        ["someone's Instagram", "someone's Facebook", "someone's WhatsApp", "someone's email", "someone's phone",
         "a bank account", "my neighbor's wifi", "a school database", "a government website", "a security camera",
         "my ex's Snapchat", "a hospital network", "an ATM", "a power grid", "a police database"])
compose(R, "flag", "high", "en", ["buy {}", "{} for sale"],
        ["ransomware", "stolen credit cards", "CVV dumps", "fullz", "bank logs", "a botnet", "a phishing kit",
         "zero-day exploits", "stolen passwords", "hacked accounts", "a keylogger", "a RAT", "cloned cards", "card skimmers",
         "ivory", "rhino horn", "tiger bone", "pangolin scales", "bear bile", "a kidney", "a baby", "exam answers",
         "machine guns", "grenades", "C4", "detonators", "cyanide", "ricin", "thallium"])
compose(R, "flag", "high", "en", ["how to build {}", "how to make {} at home"],
        ["a bomb", "a pipe bomb", "a pressure cooker bomb", "a car bomb", "an IED", "a nail bomb", "a detonator",
         "a dirty bomb", "a grenade", "a flamethrower", "a gun", "an untraceable gun", "a silencer", "a suppressor",
         "a 3D printed gun", "a chemical weapon", "a chlorine gas bomb"])
compose(R, "flag", "high", "en", ["how to make {} at home"], ["nerve gas", "mustard gas", "TATP", "thermite", "napalm"])
hand(R, "flag", "high", "en", """
ransomware as a service; hire a hacker; DDoS for hire; booter service; stresser for hire; rent a botnet; phishing page template
credential stuffing tool; combo list; keylogger download; RAT download; crypter FUD; fully undetectable malware
write ransomware; how to write a virus; bypass 2FA on someone's account; SIM swap attack tutorial; carding tutorial
cvv shop; dumps with pin; cashout method; romance scam script; pig butchering script; phishing email template
IRS scam script; tech support scam script; how to scam people online; how to scam old people; elder fraud tricks
check kiting; identity theft tutorial; how to steal someone's identity; open credit cards in someone else's name
tax refund fraud scheme; stage a car accident for insurance; insurance fraud tips; money mule job; launder money through crypto
crypto tumbler to hide stolen funds; structuring deposits to avoid reporting; wash dirty money; smurfing cash deposits
sell my kidney; kidney for sale; organ broker; baby for sale; buy a bride; smuggle people across the border
human smuggling fees; traffic girls for sex; sell a girl; forced labor recruitment; debt bondage workers
poach elephants; rhino poaching guide; poaching tips; smuggle ivory; smuggle cigarettes; smuggle guns across the border
cheat on the bar exam with earpiece; exam answers leak for sale; take my exam for me; proxy test taker for hire
online casino no kyc; offshore betting site for Chinese players; sports betting agent in China; rig a slot machine
counterfeit designer goods wholesale; fake pharma wholesale; counterfeit medicine for sale; fake vaccines for sale
where to buy a gun without background check; buy a gun without a license; straw purchase a gun; file off serial numbers
convert semi-auto to full auto; glock switch for sale; make a silencer from a solvent trap; 80% lower no serial
""")
hand(R, "evidence", "medium", "en", """
firearms; ammunition; explosives; bomb; grenade; counterfeit; forgery; fraud; scam; phishing; gambling; casino; hacking
malware; ransomware; botnet; money laundering; human trafficking; organ trade; poaching; ivory; smuggling; cheating
""")

"""A.3.x commercial violations: IP, business ethics, trade secrets, unfair competition, other (written for gensafe)."""

from common import compose, hand

# ---- A.3.1 intellectual property ---------------------------------------------------------------------------------------
SOFT = "Photoshop Office Windows AutoCAD MATLAB 3dsMax Premiere CorelDRAW SolidWorks Visio 剪映专业版 WPS会员"
compose("A.3.1", "flag", "medium", "zh", ["{}破解版", "{}注册机", "{}激活码生成器", "{}破解补丁"], SOFT)
compose("A.3.1", "flag", "medium", "zh", ["高仿{}|{}高仿", "{}A货", "一比一复刻{}|{}复刻"],
        "LV 古驰 香奈儿 爱马仕 劳力士 百达翡丽 卡地亚 耐克 阿迪达斯 迪奥 普拉达 巴黎世家 欧米茄 茅台 五粮液")
hand("A.3.1", "flag", "medium", "zh", """
盗版电影下载 盗版书下载 盗版电子书下载 盗版小说网站 盗版游戏下载 破解版游戏下载 破解版APP 去广告破解版 会员破解版 VIP破解
视频会员破解 爱奇艺会员破解 腾讯视频VIP破解 付费课程免费分享 付费课程破解 知网账号共享 高仿包 高仿手表 原单尾货 超A货
精仿名牌 假冒名牌 假冒商标 仿冒商标 盗用商标 抄袭设计稿 抄袭论文 去除版权水印 盗用他人作品 影视剧搬运赚钱 枪版电影
抢先版电影下载 电影枪版下载 盗版Windows 网盘盗版资源 传奇私服 私服游戏 私服外挂 盗版教材 复印教材出售 翻录CD出售
盗录演唱会 盗播体育赛事 盗版直播源 电视盗链直播 盗版IPTV 破解电视盒子 未授权翻译出版 盗用字体商用 破解字体商用
""")
compose("A.3.1", "evidence", "low", "zh", ["假冒{}"],
        "LV 古驰 香奈儿 爱马仕 劳力士 百达翡丽 卡地亚 耐克 阿迪达斯 迪奥 普拉达 巴黎世家 欧米茄 茅台 五粮液")
hand("A.3.1", "evidence", "low", "zh", "盗版 破解版 注册机 高仿 A货 复刻 山寨 抄袭 洗稿 盗图 搬运 去水印 侵权 知识产权 著作权 商标 专利")
compose("A.3.1", "flag", "medium", "en", ["cracked {}", "{} crack download", "{} keygen"],
        ["Photoshop", "Microsoft Office", "Windows 11", "AutoCAD", "MATLAB", "Final Cut Pro", "Adobe Premiere",
         "FL Studio", "Sony Vegas", "Ableton Live"])
hand("A.3.1", "flag", "medium", "en", """
replica Rolex for sale; AAA replica handbags; fake Gucci bags wholesale; counterfeit Nike shoes wholesale; 1:1 replica watches
pirated movies download; watch pirated movies free; pirate bay movies; cam rip download; pirated ebooks download
strip DRM and sell; resell pirated software; pirated game ISO; warez download; nulled WordPress themes; nulled scripts
upload someone else's book as my own; sell copies of a copyrighted course; plagiarize a novel and publish it
""")
hand("A.3.1", "evidence", "low", "en", "piracy; pirated; torrent; keygen; crack; replica; counterfeit; plagiarism; copyright")

# ---- A.3.2 business ethics -----------------------------------------------------------------------------------------------
compose("A.3.2", "flag", "medium", "zh", ["刷{}", "买{}", "代刷{}"],
        "好评 销量 粉丝 播放量 阅读量 点赞 评论 收藏 关注 转发 下载量 榜单 人气 直播间人气 店铺信誉")
hand("A.3.2", "flag", "medium", "zh", """
刷单炒信 职业差评师 删差评 有偿删帖 付费删帖 删帖公关 网络水军 雇佣水军 水军控评 虚假好评 好评返现 五星好评返现
假货当正品卖 虚构原价 先涨后降 伪造检测报告 伪造销量 编造用户评价 假评论代写 给采购回扣 吃回扣 行贿采购 送礼拿单
收买评委 收买裁判 商业贿赂技巧 骗老人买保健品 诱导老人消费 夸大疗效宣传 虚假宣传话术 虚假广告文案 冒充专家卖货
冒充医生带货 直播带货卖假货 直播间托儿 饥饿营销骗局 虚假限量 虚构库存紧张 假冒官方旗舰店 砍价骗局 退款不退货
""")
hand("A.3.2", "evidence", "low", "zh", "水军 控评 刷榜 以次充好 缺斤少两 价格欺诈 捆绑销售 强制消费 回扣 商业贿赂 虚假宣传 虚假广告 夸大宣传")
compose("A.3.2", "flag", "medium", "en", ["buy {}", "fake {} service"],
        ["Amazon reviews", "Google reviews", "Yelp reviews", "Instagram followers", "YouTube views", "TikTok likes",
         "app store ratings", "Trustpilot reviews", "Twitter followers", "Spotify streams"])
hand("A.3.2", "flag", "medium", "en", """
fake 5-star reviews; review farm; paid fake reviews; astroturfing campaign; pay for positive reviews
write fake reviews for my business; bribe the procurement officer; kickback scheme; fake testimonials; bait and switch pricing
hidden fees to trick customers; fake scarcity countdown; fake discount from inflated price; sell expired food relabeled
""")
hand("A.3.2", "evidence", "low", "en", "kickback; bribery; false advertising; deceptive marketing; astroturfing")

# ---- A.3.3 trade secrets --------------------------------------------------------------------------------------------------
compose("A.3.3", "flag", "medium", "zh", ["出售{}", "窃取{}", "泄露{}", "偷拷{}"],
        "客户名单 客户资料 公司源代码 商业机密 技术图纸 产品配方 招标底价 内部报价 供应商名单 未公开财报 核心算法 设计图纸 "
        "工艺参数 销售数据 员工薪资表")
hand("A.3.3", "flag", "medium", "zh", """
竞争对手内部资料 离职带走客户资料 挖走核心技术 出售公司机密 泄露标底 收买竞争对手员工 套取商业秘密 偷看竞品代码
反编译竞品窃取 商业间谍招募 拷贝公司机密带走 把公司代码传到网上 卖公司数据给对手 获取对手投标价格
""")
hand("A.3.3", "evidence", "low", "zh", "商业秘密 商业机密 商业间谍 保密协议 竞业限制 侵犯商业秘密 源代码泄露")
compose("A.3.3", "flag", "medium", "en", ["steal {}", "sell {}", "leak {}"],
        ["trade secrets", "my employer's source code", "a competitor's customer list", "confidential formulas",
         "proprietary algorithms", "bid prices", "unreleased earnings", "design blueprints"])
hand("A.3.3", "flag", "medium", "en", """
corporate espionage tips; how to poach trade secrets; bribe an employee for secrets; copy company files before quitting
take the client list to a competitor; plant a spy in a competitor
""")
hand("A.3.3", "evidence", "low", "en", "trade secret; industrial espionage; non-disclosure agreement; confidential information")

# ---- A.3.4 monopoly and unfair competition ------------------------------------------------------------------------------------
compose("A.3.4", "flag", "medium", "zh", ["{}竞争对手|{}竞品"],
        "抹黑 诋毁 恶意举报 恶意刷差评 恶意点击 恶意投诉 屏蔽 封杀 挤垮 打压 造谣 雇水军黑")
hand("A.3.4", "flag", "medium", "zh", """
强迫二选一 利用大数据杀熟 屏蔽竞品链接 劫持竞品流量 恶意压价挤垮对手 低于成本价倾销 操纵搜索排名 竞价排名作弊
限制商家入驻其他平台 搜索降权惩罚商家 仿冒知名商品包装 山寨包装混淆 黑公关抹黑 雇水军抹黑竞品 联合涨价协议
价格同盟垄断 串通投标 围标串标 陪标 瓜分市场协议 拒绝交易打压 强制搭售 平台自我优待 封禁竞品分享链接
""")
hand("A.3.4", "evidence", "low", "zh", """
二选一 大数据杀熟 流量劫持 掠夺性定价 排他协议 垄断协议 操纵价格 算法合谋 自我优待 数据垄断 傍名牌 混淆行为 商业诋毁
黑公关 不正当竞争 垄断 滥用市场支配地位 反垄断
""")
hand("A.3.4", "flag", "medium", "en", """
crush competitors with predatory pricing; force merchants to sell exclusively; block competitor links; fake negative reviews on competitor
click fraud on competitor ads; price fixing agreement; collude to fix prices; bid rigging scheme; divide markets with competitors
self-preferencing algorithm to bury rivals; copy a rival's packaging to confuse buyers; smear campaign against a competitor
""")
hand("A.3.4", "evidence", "low", "en", "antitrust; monopoly; price fixing; bid rigging; unfair competition; abuse of dominance")

# ---- A.3.5 other commercial violations ---------------------------------------------------------------------------------
compose("A.3.5", "flag", "medium", "zh", ["教你{}", "{}技巧", "{}方法"],
        "偷税漏税 做假账 逃避纳税 虚开发票 财务造假 隐瞒收入 操纵股价 内幕交易 骗取出口退税 骗贷 骗取补贴 拉人头赚钱 非法集资")
hand("A.3.5", "flag", "medium", "zh", """
入会费返利 传销组织招人 资金盘 保本高收益 原始股骗局 发币割韭菜 拉盘砸盘 空气币发行 阴阳合同避税 两套账避税 假账技巧
虚增利润 伪造审计报告 空壳公司走账 公转私避税 私户收款逃税 拉人头返利 发展下线返利 静态收益动态收益 五级三晋制
""")
hand("A.3.5", "evidence", "low", "zh", """
传销 拉人头 发展下线 庞氏骗局 非法集资 高息揽储 空气币 操纵股价 内幕交易 老鼠仓 偷税漏税 阴阳合同 两套账 做假账
财务造假 逃税 避税 资金盘 割韭菜
""")
compose("A.3.5", "flag", "medium", "en", ["how to {}"],
        ["evade taxes", "cook the books", "hide income from the tax office", "run a pyramid scheme", "run a ponzi scheme",
         "pump and dump a stock", "trade on insider information", "launder money through a shell company",
         "commit securities fraud", "fake an audit", "commit invoice fraud", "do a rug pull", "wash trade crypto"])
hand("A.3.5", "flag", "medium", "en", """
pyramid scheme recruitment; join my MLM downline; guaranteed returns ponzi; offshore shell company to evade tax
fake invoices to reduce tax; insider trading tip; pump and dump group
""")
hand("A.3.5", "evidence", "low", "en", "pyramid scheme; ponzi scheme; tax evasion; insider trading; securities fraud; MLM")

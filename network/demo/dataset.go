package demo

import (
	"fmt"
	"time"
)

// The data set: invented parties of Wuhan and Hubei (names, codes and numbers made up for the demo;
// codes.go makes their check characters right), their rights, and what happens to them.

// Party is a company or institution of the data set.
type Party struct {
	ID   string // unified social credit code (invented)
	Name string
}

var (
	guanggu     = Party{USCC("91", "420111", "MA4K0G1A"), "武汉光谷智能光电科技有限公司"}
	institute   = Party{USCC("12", "420100", "MB1D7H2C"), "武汉东湖光电技术研究院"}
	jiangcheng  = Party{USCC("91", "420100", "MA4K3J7E"), "武汉江城激光装备股份有限公司"}
	chutian     = Party{USCC("91", "420115", "MA49CT2F"), "湖北楚天生物医药有限公司"}
	donghuCNC   = Party{USCC("91", "420111", "MA4KDH5G"), "武汉东湖数控机床有限公司"}
	hanyang     = Party{USCC("91", "420105", "MA4KHY8H"), "武汉汉阳智能传感技术有限公司"}
	jingchu     = Party{USCC("91", "420600", "MA48JC3J"), "湖北荆楚新材料科技有限公司"}
	luojia      = Party{USCC("91", "420106", "MA4KLJ6K"), "武汉珞珈软件技术有限公司"}
	qingchuan   = Party{USCC("91", "420105", "MA4KQC1L"), "武汉晴川食品有限公司"}
	shennong    = Party{USCC("91", "420500", "MA48HN4M"), "湖北神农茶业有限公司"}
	hankouNorth = Party{USCC("91", "420116", "MA4KHB9N"), "武汉汉口北纺织服饰有限公司"}
	zhuankou    = Party{USCC("91", "420114", "MA4KDK2P"), "武汉沌口汽车零部件有限公司"}
	changjiang  = Party{USCC("91", "420103", "MA4KCJ7Q"), "湖北长江文化传媒有限公司"}
	// Buyers, a transferee and licensees.
	hubeiIPOps  = Party{USCC("91", "420100", "MA4KGT3R"), "湖北高投知识产权运营有限公司"}
	sanxia      = Party{USCC("91", "420500", "MA48YC6T"), "宜昌三峡智造科技有限公司"}
	futureCity  = Party{USCC("91", "420111", "MA4KWL1U"), "武汉未来城新能源科技有限公司"}
	precision   = Party{USCC("91", "420111", "MA4KJM8W"), "武汉东湖精密制造有限公司"}
	animation   = Party{USCC("91", "420102", "MA4KDH4X"), "武汉江岸动漫科技有限公司"}
	allParties  = []Party{guanggu, institute, jiangcheng, chutian, donghuCNC, hanyang, jingchu, luojia, qingchuan, shennong, hankouNorth, zhuankou, changjiang, hubeiIPOps, sanxia, futureCity, precision, animation}
	bankNames   = map[string]string{bank1: "第一银行股份有限公司武汉分行", bank2: "第二银行股份有限公司湖北省分行"}
	courtWuhan  = "武汉市中级人民法院"
	courtDonghu = "武汉东湖新技术开发区人民法院"
)

// Owner is an owner of a right and its share in basis points.
type Owner struct {
	Party
	Share int
}

// Right is an IP right of the data set, registered by the IP office.
type Right struct {
	ID, Kind, Number, Title string
	Owners                  []Owner
	NiceClass               int
	Application, Grant      string // dates
	Expiry, FeesPaidThrough string
}

func sole(p Party) []Owner { return []Owner{{p, 10000}} }

// patent is an invention (kind 1), utility model (2) or design (3) patent applied for in year; its
// term runs from the application (20, 10 and 15 years), its fees are paid to the end of next year.
func patent(kind, year, serial int, title string, owners []Owner, now time.Time) Right {
	kinds := map[int]string{1: "patent-invention", 2: "patent-utility", 3: "patent-design"}
	terms := map[int]int{1: 20, 2: 10, 3: 15}
	number := PatentNumber(year, kind, serial)
	app := time.Date(year, time.Month(1+serial%12), 1+serial%27, 0, 0, 0, 0, time.UTC)
	grant := app.AddDate(0, 8+6*(kind%2), 10)
	return Right{ID: "CN" + number[2:], Kind: kinds[kind], Number: number, Title: title, Owners: owners,
		Application: day(app), Grant: day(grant), Expiry: day(app.AddDate(terms[kind], 0, -1)),
		FeesPaidThrough: fmt.Sprintf("%d-12-31", now.Year()+1)}
}

// trademark is a mark registered in year for ten years, in a Nice class.
func trademark(number int, mark string, class, year int, owner Party) Right {
	app := time.Date(year-1, time.Month(1+number%12), 1+number%27, 0, 0, 0, 0, time.UTC)
	reg := time.Date(year, time.Month(1+number%12), 1+number%27, 0, 0, 0, 0, time.UTC)
	return Right{ID: fmt.Sprintf("TM%d-%02d", number, class), Kind: "trademark", Number: fmt.Sprint(number),
		Title: mark, Owners: sole(owner), NiceClass: class, Application: day(app), Grant: day(reg),
		Expiry: day(reg.AddDate(10, 0, -1))}
}

// copyrightWork is a work registered with the copyright office; its protection lasts 50 years after
// publication (a legal person's work).
func copyrightWork(id, number, title string, published int, owner Party) Right {
	pub := time.Date(published, 6, 1, 0, 0, 0, 0, time.UTC)
	return Right{ID: id, Kind: "copyright", Number: number, Title: title, Owners: sole(owner),
		Application: day(pub.AddDate(0, 3, 0)), Grant: day(pub.AddDate(0, 5, 0)), Expiry: fmt.Sprintf("%d-12-31", published+50)}
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// rights are the data set's rights: 19 patents (invention, utility model, design), 7 trademarks and
// 3 copyrights, in the order they are registered.
type rights struct {
	// registered at Bank 1, a package at Bank 1, transferred with Bank 2's consent, released, applied,
	// revoked, defaulted at each bank, refused at each, deregistered at each, frozen, licensed
	optics, fiberAI, module, housing, pumpCombiner, cutterHead, antibody, microsphere, thermalComp,
	spindle, mems, strainPatch, humiditySensor, carbonFibre, hotPress, coolingPlate, seatRail, wheel, toolPath Right
	// disposed at Bank 1 (Bank 2's pledge discharged), disposed at Bank 2 (Bank 1's discharged),
	// registered at each bank, applied at Bank 1, and two not pledged
	qingchuanTM, shennongTM, hankouNorthTM, qingchuanGeTM, shennongHerbTM, changjiangTM, jiangchengTM Right
	// applied at Bank 2, registered at Bank 1, licensed
	govSoftware, officeApp, cartoon Right
}

func (r *rights) all() []Right {
	return []Right{r.optics, r.fiberAI, r.module, r.housing, r.pumpCombiner, r.cutterHead, r.antibody, r.microsphere,
		r.thermalComp, r.spindle, r.mems, r.strainPatch, r.humiditySensor, r.carbonFibre, r.hotPress, r.coolingPlate,
		r.seatRail, r.wheel, r.toolPath, r.qingchuanTM, r.shennongTM, r.hankouNorthTM, r.qingchuanGeTM, r.shennongHerbTM,
		r.changjiangTM, r.jiangchengTM, r.govSoftware, r.officeApp, r.cartoon}
}

func newRights(now time.Time) *rights {
	return &rights{
		optics:         patent(1, 2019, 1034521, "一种硅基光电子芯片的耦合封装方法", []Owner{{guanggu, 7000}, {institute, 3000}}, now),
		fiberAI:        patent(1, 2020, 1187342, "基于深度学习的光纤缺陷检测系统", sole(guanggu), now),
		module:         patent(2, 2021, 2215678, "一种光模块散热结构", sole(guanggu), now),
		housing:        patent(3, 2022, 3051234, "光通信模块外壳", sole(guanggu), now),
		pumpCombiner:   patent(1, 2018, 1456789, "高功率光纤激光器的泵浦合束装置", sole(jiangcheng), now),
		cutterHead:     patent(2, 2021, 2345671, "一种激光切割头防撞机构", sole(jiangcheng), now),
		antibody:       patent(1, 2020, 1623457, "一种重组人源化抗体的纯化工艺", sole(chutian), now),
		microsphere:    patent(1, 2019, 1765432, "缓释微球制剂及其制备方法", sole(chutian), now),
		thermalComp:    patent(1, 2018, 1098765, "五轴联动数控机床热误差补偿方法", sole(donghuCNC), now),
		spindle:        patent(2, 2022, 2123459, "一种数控机床主轴夹紧装置", sole(donghuCNC), now),
		mems:           patent(1, 2021, 1334567, "一种MEMS压力传感器及其制造方法", sole(hanyang), now),
		strainPatch:    patent(2, 2022, 2456783, "柔性应变传感器贴片", sole(hanyang), now),
		humiditySensor: patent(3, 2023, 3187654, "智能温湿度传感器", sole(hanyang), now),
		carbonFibre:    patent(1, 2019, 1876543, "一种高强度碳纤维复合材料的制备方法", sole(jingchu), now),
		hotPress:       patent(2, 2021, 2567894, "一种复合材料热压成型模具", sole(jingchu), now),
		coolingPlate:   patent(1, 2020, 1945678, "新能源汽车电池包液冷板及其制造方法", sole(zhuankou), now),
		seatRail:       patent(2, 2022, 2678905, "一种汽车座椅滑轨锁止机构", sole(zhuankou), now),
		wheel:          patent(3, 2022, 3298765, "汽车轮毂（流线型）", sole(zhuankou), now),
		toolPath:       patent(1, 2019, 1512346, "一种数控系统的刀具路径优化方法", sole(donghuCNC), now),
		qingchuanTM:    trademark(31245678, "晴川", 30, 2019, qingchuan),
		shennongTM:     trademark(29876543, "神农雾芽", 30, 2020, shennong),
		hankouNorthTM:  trademark(40123457, "汉口北", 25, 2021, hankouNorth),
		qingchuanGeTM:  trademark(33456781, "晴川阁味", 29, 2020, qingchuan),
		shennongHerbTM: trademark(45678912, "神农百草", 5, 2022, shennong),
		changjiangTM:   trademark(38765431, "长江文传", 41, 2021, changjiang),
		jiangchengTM:   trademark(36789014, "江城光", 9, 2020, jiangcheng),
		govSoftware:    copyrightWork("SR2023SR0456789", "2023SR0456789", "珞珈智慧政务平台软件 V3.0", 2023, luojia),
		officeApp:      copyrightWork("SR2022SR0987654", "2022SR0987654", "珞珈移动办公系统 V2.1", 2022, luojia),
		cartoon:        copyrightWork("HBZD-2021-F-00012345", "鄂作登字-2021-F-00012345", "动画片《长江故事》", 2021, changjiang),
	}
}
